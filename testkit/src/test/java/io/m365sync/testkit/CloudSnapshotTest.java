package io.m365sync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.CloudSnapshot;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudSnapshotTest {
  @TempDir
  Path dir;

  @Test
  void aLoadedCloudGoesOnWhereTheSavedOneStopped() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser alice = m365.addUser("alice");
    ModelUser bob = m365.addUser("bob").licensed(false);
    alice.attributes().put("Department", "Sales");
    ModelGroup sales = m365.tenant().addGroup("sales", true).add(alice);
    m365.tenant().addGroup("crm", true).add(sales).add(bob);
    m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, sales, "only sales");
    m365.grantApplicationPermissions(Resource.EVENTS);
    Instant t0 = m365.clock().instant();
    m365.mailbox(alice).calendar().create(CalendarEvent.simple("one", t0.plusSeconds(3600), t0.plusSeconds(7200)));
    String deleted = m365.mailbox(alice).contacts().create(Contact.of("Ada", "L", "ada@example.com")).id();
    m365.mailbox(alice).contacts().delete(deleted, null);
    m365.mailbox(alice).addTaskList("errands");
    TokenResponse signIn = m365.tenant().signIn(alice, FakeMicrosoft365.CLIENT_ID);
    TokenResponse app = m365.tenant().clientCredentials(FakeMicrosoft365.CLIENT_ID, FakeMicrosoft365.CLIENT_SECRET);
    String deltaLink = m365.mailbox(alice).calendar().delta(null,
        new io.m365sync.testkit.model.DeltaWindow(t0.minus(Duration.ofDays(1)), t0.plus(Duration.ofDays(30))), 10).deltaToken();
    m365.clock().advance(Duration.ofMinutes(10));

    CloudSnapshot.save(m365.cloud(), dir.resolve("cloud.json"));
    CloudModel loaded = CloudSnapshot.load(dir.resolve("cloud.json"));

    assertThat(loaded.clock().instant()).isEqualTo(m365.clock().instant());
    TenantModel t = loaded.findTenant("contoso.com").orElseThrow();
    ModelUser a = t.user(alice.objectId());
    assertThat(a.attributes()).containsEntry("Department", "Sales");
    assertThat(t.user("bob@contoso.com").licensed()).isFalse();
    assertThat(t.transitiveMembers(t.findGroup("crm").orElseThrow())).extracting(ModelUser::userPrincipalName)
        .containsExactlyInAnyOrder("alice@contoso.com", "bob@contoso.com");
    assertThat(t.appAccessAllowed(FakeMicrosoft365.CLIENT_ID, a)).isTrue();
    assertThat(t.appAccessAllowed(FakeMicrosoft365.CLIENT_ID, t.user("bob@contoso.com"))).isFalse();
    assertThat(t.app(FakeMicrosoft365.CLIENT_ID).orElseThrow().consentedApplicationPermissions()).containsExactly("Calendars.ReadWrite");
    assertThat(t.mailbox(a).taskListIds()).contains("errands");

    // tokens issued before the save still work after the load
    assertThat(loaded.validate(app.accessToken()).permissions()).containsExactly("Calendars.ReadWrite");
    assertThat(t.refresh(FakeMicrosoft365.CLIENT_ID, signIn.refreshToken()).claims().objectId()).isEqualTo(alice.objectId());

    // a stored delta link resumes: only what changed after it comes back
    t.mailbox(a).calendar().create(CalendarEvent.simple("two", t0.plusSeconds(9000), t0.plusSeconds(9600)));
    var page = t.mailbox(a).calendar().delta(deltaLink, null, 10);
    assertThat(page.changes()).extracting(c -> c.item().subject()).containsExactly("two");
    assertThat(t.mailbox(a).calendar().all()).hasSize(2);
    assertThat(t.mailbox(a).calendar().all().get(0).changeKey())
        .isNotEqualTo(t.mailbox(a).calendar().all().get(1).changeKey());
  }

  @Test
  void anEngineResumesAgainstALoadedCloudWithoutRereading() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser alice = m365.addUser("alice");
    Instant t0 = m365.clock().instant();
    for (int i = 0; i < 5; i++) {
      m365.mailbox(alice).calendar().create(CalendarEvent.simple("e" + i, t0.plusSeconds(3600L * (i + 1)), t0.plusSeconds(3600L * (i + 1) + 600)));
    }
    InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
    var store = io.m365sync.state.SyncStateStore.inMemory();
    SyncEngine first = engine(m365.cloud(), m365.delegatedTokens(), store, crm);
    first.enroll(m365.signIn(alice, Set.of(Resource.EVENTS)));
    first.runCycle();
    CloudSnapshot.save(m365.cloud(), dir.resolve("cloud.json"));

    CloudModel loaded = CloudSnapshot.load(dir.resolve("cloud.json"));
    ((MutableClock) loaded.clock()).advance(Duration.ofMinutes(5));
    long before = loaded.log().count(r -> r.isGraph());
    SyncEngine second = engine(loaded, m365.delegatedTokens(), store, crm); // the delegated strategy kept its tokens
    second.runCycle();

    assertThat(loaded.log().count(r -> r.isGraph()) - before).as("one delta request, no full re-read").isEqualTo(1);
    assertThat(crm.creates()).isEqualTo(5);
    assertThat(crm.duplicates(m365.mailboxId(alice))).isZero();
  }

  private static SyncEngine engine(CloudModel cloud, FakeDelegatedTokenStrategy delegated,
                                   io.m365sync.state.SyncStateStore store, InMemoryCrmStore<CalendarEvent> crm) {
    return SyncEngine.builder().clock(cloud.clock()).gateway(new FakeMailboxGateway(cloud)).stateStore(store)
        .delegatedTokens(delegated)
        .resource(io.m365sync.sync.ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build();
  }

}
