package io.m365sync.examples;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphDirectorySource;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.policy.AccessPolicySet;
import io.m365sync.policy.AppId;
import io.m365sync.policy.ApplicationAccessPolicy;
import io.m365sync.policy.ReadinessDoctor;
import io.m365sync.policy.ReadinessReport;
import io.m365sync.policy.ReadinessRequest;
import io.m365sync.testkit.model.ModelGroup;
import java.io.PrintStream;
import java.net.URI;
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
 * <p>With no arguments it examines a half-configured demo tenant on the emulator (no Microsoft
 * account needed); {@code --markdown} renders Markdown instead of text.
 */
public final class ReadinessCommand {
  private static final Set<Resource> RESOURCES = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.TASKS);

  private ReadinessCommand() {}

  public static void main(String[] args) {
    boolean markdown = List.of(args).contains("--markdown");
    ReadinessReport report = examineDemoTenant();
    PrintStream out = System.out;
    out.println(markdown ? report.toMarkdown() : report.toText());
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
