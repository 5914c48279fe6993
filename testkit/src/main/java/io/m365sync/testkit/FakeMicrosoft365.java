package io.m365sync.testkit;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.notify.NotificationReceiver;
import io.m365sync.testkit.emulator.NotificationBodies;
import io.m365sync.TenantId;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A ready tenant for tests and demos: Contoso with the CRM's app registration (every delegated
 * permission the add-in needs, a valid client secret), a mutable clock, and the fakes wired to it.
 * Application permissions are not granted until {@link #grantApplicationPermissions}.
 *
 * <pre>{@code
 * FakeMicrosoft365 m365 = FakeMicrosoft365.create();
 * ModelUser alice = m365.addUser("alice");
 * m365.mailbox(alice).calendar().create(CalendarEvent.simple("Kick-off", start, end));
 * Mailbox mailbox = m365.signIn(alice, Set.of(Resource.EVENTS));   // the add-in sign-in
 * SyncEngine engine = m365.engineBuilder()
 *     .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new InMemoryCrmStore<>("event"))).build();
 * engine.enroll(mailbox);
 * }</pre>
 */
public final class FakeMicrosoft365 {
  public static final String CLIENT_ID = "0e5b7e3c-7d4a-4b8e-9c61-5a1f0c3d2b10";
  public static final String CLIENT_SECRET = "fake-secret-value-for-tests";

  private final MutableClock clock;
  private final CloudModel cloud;
  private final TenantModel tenant;
  private final AppRegistration app;
  private final FakeDelegatedTokenStrategy delegated;
  private final FakeApplicationTokenStrategy application;
  private final FakeMailboxGateway gateway;

  private FakeMicrosoft365(MutableClock clock, String clientSecretUsedByCrm) {
    this.clock = clock;
    this.cloud = new CloudModel(clock);
    this.tenant = cloud.addTenant("contoso.com");
    this.app = tenant.registerApp(CLIENT_ID, "Contoso CRM sync")
        .addSecret(CLIENT_SECRET, clock.instant().plus(Duration.ofDays(365)));
    for (Resource r : Resource.values()) {
      app.addDelegatedPermissions(r.delegatedPermission());
    }
    app.addDelegatedPermissions("offline_access", "User.Read");
    this.delegated = new FakeDelegatedTokenStrategy(cloud, CLIENT_ID);
    this.application = new FakeApplicationTokenStrategy(cloud, CLIENT_ID, clientSecretUsedByCrm);
    this.gateway = new FakeMailboxGateway(cloud);
  }

  /** A tenant whose clock starts at 2026-01-05T09:00:00Z. */
  public static FakeMicrosoft365 create() {
    return new FakeMicrosoft365(MutableClock.startingNow(), CLIENT_SECRET);
  }

  /** Like {@link #create()}, but the CRM's configuration holds {@code wrongSecret}. */
  public static FakeMicrosoft365 withCrmClientSecret(String wrongSecret) {
    return new FakeMicrosoft365(MutableClock.startingNow(), wrongSecret);
  }

  public ModelUser addUser(String alias) {
    return tenant.addUser(alias);
  }

  public MailboxModel mailbox(ModelUser user) {
    return tenant.mailbox(user);
  }

  /** The user signs in to the add-in: returns the mailbox for {@code SyncEngine.enroll}. */
  public Mailbox signIn(ModelUser user, Set<Resource> resources) {
    MailboxId id = delegated.signIn(tenant, user);
    return new Mailbox(id, user.userPrincipalName(), "crm-user-" + user.displayName(), clock.instant(),
        resources.isEmpty() ? EnumSet.allOf(Resource.class) : resources);
  }

  /**
   * An engine builder wired to this tenant: its clock, the fake gateway and both fake token strategies.
   * Add the resources (and, if the test wants them, a state store, executor, options or listener) and
   * build; rounds run on the calling thread unless an executor is set.
   */
  public SyncEngine.Builder engineBuilder() {
    return SyncEngine.builder().clock(clock).gateway(gateway).delegatedTokens(delegated).applicationTokens(application);
  }

  /**
   * Delivers every change and lifecycle notification the tenant's subscriptions emit to
   * {@code receiver}, as Graph would post it, on the thread that made the change (after the seeded
   * drops and duplicates of the subscription model's delivery settings). Returns what stops it.
   */
  public Runnable deliverNotificationsTo(NotificationReceiver receiver) {
    return cloud.addNotificationSink(n -> receiver.handle("POST", receiver.path(), Map.of(),
        Map.of("Content-Type", List.of("application/json; charset=utf-8")), NotificationBodies.collection(List.of(n))));
  }

  /** The admin adds these application permissions and grants admin consent. */
  public FakeMicrosoft365 grantApplicationPermissions(Resource... resources) {
    Arrays.stream(resources).forEach(r -> app.addApplicationPermissions(r.applicationPermission()));
    app.grantAdminConsent();
    return this;
  }

  /** The mailbox id the engine uses for a user (whether or not they signed in). */
  public MailboxId mailboxId(ModelUser user) {
    return new MailboxId(tenantId(), user.objectId());
  }

  public TenantId tenantId() {
    return TenantId.of(tenant.tenantId());
  }

  public MutableClock clock() {
    return clock;
  }

  public CloudModel cloud() {
    return cloud;
  }

  public TenantModel tenant() {
    return tenant;
  }

  public AppRegistration app() {
    return app;
  }

  public FakeDelegatedTokenStrategy delegatedTokens() {
    return delegated;
  }

  public FakeApplicationTokenStrategy applicationTokens() {
    return application;
  }

  public FakeMailboxGateway gateway() {
    return gateway;
  }
}
