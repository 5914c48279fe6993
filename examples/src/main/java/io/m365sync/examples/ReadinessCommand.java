package io.m365sync.examples;

import io.m365sync.AccessAudit;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.TenantId;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphDirectorySource;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.policy.AccessPolicySet;
import io.m365sync.policy.AppId;
import io.m365sync.policy.ApplicationAccessPolicy;
import io.m365sync.policy.ReadinessDoctor;
import io.m365sync.policy.ReadinessReport;
import io.m365sync.policy.ReadinessRequest;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ModelGroup;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The admin readiness report ("doctor") for a tenant: app registration, delegated and application
 * permissions, admin consent, the "enable application permission" setting, secret expiry, the access
 * policy's scope against the enrolled users, To Do coverage — each failed check with the portal steps
 * and the PowerShell lines filled in.
 *
 * <p>Then the access audit of the last N days ({@code --audit-days N}, 30 by default): the mailboxes
 * touched with application permissions, their rounds and Graph requests, and any touched while not
 * enrolled, which is a defect of the library and reported loudly. {@code --state FILE} reads the audit
 * from an m365sync H2 state file (as the quickstart writes); otherwise from a demo run.
 *
 * <p>With no arguments it examines a half-configured demo tenant on the emulator (no Microsoft
 * account needed). {@code --config FILE}, or the real-tenant runner's environment variables
 * ({@code M365SYNC_TENANT_ID}, …), examine a real tenant with the runner's settings instead;
 * {@code --markdown} renders Markdown instead of text.
 */
public final class ReadinessCommand {
  private static final Set<Resource> RESOURCES = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.TASKS);

  private ReadinessCommand() {}

  public static void main(String[] args) {
    List<String> list = List.of(args);
    boolean markdown = list.contains("--markdown");
    int days = Integer.parseInt(option(list, "--audit-days", "30"));
    String state = option(list, "--state", null);
    String config = option(list, "--config", null);
    ReadinessReport report;
    if (config != null || System.getenv("M365SYNC_TENANT_ID") != null) {
      try {
        report = examine(RunnerConfig.from(RunnerConfig.environmentThen(properties(config))), Clock.systemUTC());
      } catch (ConfigurationException e) {
        e.problems().forEach(p -> System.err.println("m365sync: configuration error: " + p));
        System.exit(2);
        return;
      } catch (io.m365sync.graph.GraphDirectoryException e) {
        System.err.println("m365sync: the app cannot read the tenant's directory (" + e.getMessage() + "); grant it"
            + " Application.Read.All, GroupMember.Read.All and User.Read.All with admin consent, then run again");
        System.exit(1);
        return;
      }
    } else {
      report = examineDemoTenant();
    }
    PrintStream out = System.out;
    out.println(markdown ? report.toMarkdown() : report.toText());
    if (state != null) {
      try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(Path.of(state))) {
        out.println(auditSummary(store, Clock.systemUTC(), days).toText());
      }
    } else {
      out.println(demoAuditSummary(days).toText());
    }
  }

  private static java.util.Properties properties(String file) {
    java.util.Properties props = new java.util.Properties();
    if (file != null) {
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(Path.of(file))) {
        props.load(in);
      } catch (java.io.IOException e) {
        throw new ConfigurationException(List.of("properties file '" + file + "' cannot be read: " + e.getMessage()));
      }
    }
    return props;
  }

  /**
   * The doctor over a real tenant, from the real-tenant runner's settings ({@link RunnerConfig}: the
   * same environment variables or properties file): its users are the enrolled mailboxes. Access
   * policies live in Exchange, which Graph cannot read: the policy checks report what they cannot see.
   */
  static ReadinessReport examine(RunnerConfig config, Clock clock) {
    TenantId tenant = TenantId.of(config.tenantId());
    MsalApplicationTokenStrategy.Builder tokens = MsalApplicationTokenStrategy.builder().clientId(config.clientId())
        .credential(config.credential()).clock(clock);
    if (config.loginBaseUrl() != null) {
      tokens.routeTokenRequestsTo(URI.create(config.loginBaseUrl()));
    }
    GraphDirectorySource directory = GraphDirectorySource.builder().tokens(tokens.build()).baseUrl(config.graphBaseUrl())
        .build();
    List<Mailbox> enrolled = config.users().stream().map(u -> new Mailbox(new io.m365sync.MailboxId(tenant, u),
        u.contains("@") ? u : u + "@" + tenant, "crm-" + u, clock.instant(), config.resources())).toList();
    ReadinessDoctor doctor = new ReadinessDoctor(AppId.of(config.clientId()), directory, t -> AccessPolicySet.of(), clock);
    return doctor.examine(new ReadinessRequest(tenant, true, config.resources(), enrolled, null));
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    if (i >= 0 && i + 1 >= args.size()) {
      throw new ConfigurationException(List.of(name + " needs a value"));
    }
    return i < 0 ? fallback : args.get(i + 1);
  }

  /** The access audit of a state store over the last {@code days} days; defects are logged at ERROR. */
  static AccessAudit.Summary auditSummary(SyncStateStore store, Clock clock, int days) {
    return AccessAudit.of(store, clock, new SyncListener() {}).summary(Duration.ofDays(days));
  }

  /**
   * A week on a fake tenant: alice and bob enrolled, application permissions enabled, bob unenrolled
   * on the third day, carol never enrolled; then the audit of the last {@code days} days.
   */
  static AccessAudit.Summary demoAuditSummary(int days) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new InMemoryCrmStore<CalendarEvent>("event")))
        .build();
    m365.grantApplicationPermissions(Resource.EVENTS);
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    var alice = m365.addUser("alice");
    var bob = m365.addUser("bob");
    m365.addUser("carol");
    engine.enroll(m365.signIn(alice, Set.of(Resource.EVENTS)));
    engine.enroll(m365.signIn(bob, Set.of(Resource.EVENTS)));
    for (int day = 1; day <= 7; day++) {
      if (day == 3) {
        engine.unenroll(m365.mailboxId(bob));
      }
      engine.runCycle();
      m365.clock().advance(Duration.ofDays(1));
    }
    return auditSummary(engine.stateStore(), m365.clock(), days);
  }

  /**
   * A demo tenant as admins often leave it: calendar and contacts consented, mail added but not
   * consented, To Do not added, a secret expiring in 20 days, "enable application permission" not
   * ticked, and a RestrictAccess policy whose group misses one enrolled user and holds one who never
   * signed in.
   */
  static ReadinessReport examineDemoTenant() {
    try (DemoWorld world = DemoWorld.seed("alice", "bob", "carol", "erin")) {
      // what the doctor itself needs to read the directory, consented with the rest
      world.app.addApplicationPermissions("Application.Read.All", "GroupMember.Read.All", "User.Read.All");
      world.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
      world.app.addApplicationPermissions(Resource.MAIL.applicationPermission());
      world.app.addSecret("expiring-demo-secret", world.clock.instant().plus(Duration.ofDays(20)));
      ModelGroup group = world.tenant.addGroup("crm-sync-users", true)
          .add(world.user("alice")).add(world.user("bob")).add(world.user("erin"));
      AppId app = AppId.of(DemoWorld.CLIENT_ID);
      AccessPolicySet declared = AccessPolicySet.of(
          ApplicationAccessPolicy.restrict(app, group.id(), world.clock.instant().minus(Duration.ofDays(2))));
      TenantId tenant = TenantId.of(world.tenant.tenantId());
      List<Mailbox> enrolled = new ArrayList<>();
      for (String alias : List.of("alice", "bob", "carol")) {
        var u = world.user(alias);
        enrolled.add(new Mailbox(new io.m365sync.MailboxId(tenant, u.objectId()), u.userPrincipalName(), "crm-" + alias,
            world.clock.instant(), RESOURCES));
      }
      GraphDirectorySource directory = GraphDirectorySource.builder()
          .tokens(MsalApplicationTokenStrategy.builder().clientId(DemoWorld.CLIENT_ID)
              .credential(AppCredential.secret(DemoWorld.CLIENT_SECRET)).clock(world.clock)
              .routeTokenRequestsTo(URI.create(world.emulator.loginBaseUrl())).build())
          .baseUrl(world.emulator.graphBaseUrl())
          .build();
      ReadinessDoctor doctor = new ReadinessDoctor(app, directory, t -> declared, world.clock);
      return doctor.examine(new ReadinessRequest(tenant, false, RESOURCES, enrolled, null));
    }
  }
}
