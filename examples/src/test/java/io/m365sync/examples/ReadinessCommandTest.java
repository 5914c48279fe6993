package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AccessAudit;
import io.m365sync.Resource;
import io.m365sync.policy.CheckResult;
import io.m365sync.policy.ReadinessReport;
import org.junit.jupiter.api.Test;

class ReadinessCommandTest {
  @Test
  void theDemoTenantsProblemsAreNamedWithFilledInFixes() {
    ReadinessReport report = ReadinessCommand.examineDemoTenant();

    assertThat(report.ready()).isFalse();
    String text = report.toText();
    assertThat(text).contains(DemoWorld.CLIENT_ID);
    assertThat(text).contains("Mail.ReadWrite").contains("Tasks.ReadWrite.All");
    assertThat(text).contains("New-ApplicationAccessPolicy").contains("Test-ApplicationAccessPolicy");
    assertThat(text).contains("carol@contoso.com").contains("erin@contoso.com");
    assertThat(report.problems()).extracting(CheckResult::id).extracting(Enum::name).isNotEmpty();
    String markdown = report.toMarkdown();
    assertThat(markdown).startsWith("#").contains("|");
  }

  @Test
  void theAuditSummaryNamesTheMailboxesTouchedAppOnlyInTheLastDays() {
    AccessAudit.Summary week = ReadinessCommand.demoAuditSummary(30);
    assertThat(week.mailboxes()).hasSize(2); // alice all week, bob until he was unenrolled; carol never
    assertThat(week.rounds()).isEqualTo(7 + 2);
    assertThat(week.defects()).isEmpty();
    assertThat(week.toText()).contains("9 app-only round(s)").contains("OK: every mailbox touched app-only was enrolled");

    AccessAudit.Summary lastTwoDays = ReadinessCommand.demoAuditSummary(2);
    assertThat(lastTwoDays.mailboxes()).hasSize(1);
    assertThat(lastTwoDays.rounds()).isEqualTo(2);
  }

  @Test
  void aRealTenantIsExaminedWithTheRunnersSettings() {
    try (DemoWorld world = DemoWorld.seed("alice", "bob")) {
      world.app.addApplicationPermissions("Application.Read.All", "GroupMember.Read.All", "User.Read.All"); // the doctor's own reads
      world.grantApplicationPermissions(Resource.EVENTS); // consented with the doctor's; contacts not granted
      java.util.Map<String, String> settings = java.util.Map.of(
          "m365sync.tenantId", world.tenant.tenantId(),
          "m365sync.clientId", DemoWorld.CLIENT_ID,
          "m365sync.clientSecret", DemoWorld.CLIENT_SECRET,
          "m365sync.users", world.user("alice").userPrincipalName(),
          "m365sync.graphBaseUrl", world.emulator.graphBaseUrl(),
          "m365sync.loginBaseUrl", world.emulator.loginBaseUrl());

      ReadinessReport report = ReadinessCommand.examine(RunnerConfig.from(settings::get), world.clock);

      // contacts' application permission is missing: the doctor read the tenant and says what to grant
      assertThat(report.ready()).isFalse();
      assertThat(report.toText()).contains(DemoWorld.CLIENT_ID).contains("Contacts.ReadWrite");
      assertThat(world.cloud.log().tokens().count()).isPositive(); // it asked the (emulated) tenant itself
    }
  }
}
