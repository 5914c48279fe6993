package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.Resource;
import io.m365sync.state.MailboxStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-tenant runner, driven through its configuration path against the emulator. */
class RealTenantRunnerTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private RealTenantRunner runner(DemoWorld world) {
    return new RealTenantRunner(new PrintStream(out, true, StandardCharsets.UTF_8), world.clock);
  }

  private Map<String, String> settings(DemoWorld world) {
    Map<String, String> s = new HashMap<>();
    s.put("m365sync.tenantId", world.tenant.tenantId());
    s.put("m365sync.clientId", DemoWorld.CLIENT_ID);
    s.put("m365sync.clientSecret", DemoWorld.CLIENT_SECRET);
    s.put("m365sync.users", "alice@contoso.com," + world.user("bob").objectId());
    s.put("m365sync.crmDirectory", dir.toString());
    s.put("m365sync.graphBaseUrl", world.emulator.graphBaseUrl());
    s.put("m365sync.loginBaseUrl", world.emulator.loginBaseUrl());
    return s;
  }

  @Test
  void syncsTheConfiguredMailboxesInApplicationModeIntoJsonFiles() throws Exception {
    try (DemoWorld world = DemoWorld.seed("alice", "bob", "carol")) {
      world.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);

      CycleReport report = runner(world).run(RunnerConfig.from(settings(world)::get));

      assertThat(report.countByStatus()).containsEntry(MailboxStatus.ACTIVE, 2);
      assertThat(report.mailboxes()).allSatisfy(m -> assertThat(m.state().mode()).isEqualTo(AuthMode.APPLICATION));
      assertThat(report.applied()).isEqualTo(8);
      assertThat(Files.readString(dir.resolve("crm-events.json"))).contains("alice customer meeting 1", "bob customer meeting 3");
      assertThat(world.cloud.log().requestsAbout(world.user("carol").objectId())).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("Application mode: ACTIVE")
          .contains("alice@contoso.com EVENTS: SYNCED").contains("CONTACTS: SYNCED"); // progress per resource
    }
  }

  @Test
  void aMissingTenantIsOneClearLineAndExitCodeTwo() {
    try (DemoWorld world = DemoWorld.seed("alice", "bob")) {
      Map<String, String> s = settings(world);
      s.remove("m365sync.tenantId");
      int code = runWithSettings(world, s);
      assertThat(code).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8).strip())
          .isEqualTo("m365sync: configuration error: 'M365SYNC_TENANT_ID' (m365sync.tenantId) is required");
    }
  }

  @Test
  void anUnreadableCertificateIsNamedWithoutAStackTrace() {
    try (DemoWorld world = DemoWorld.seed("alice", "bob")) {
      Map<String, String> s = settings(world);
      s.remove("m365sync.clientSecret");
      s.put("m365sync.certificatePath", dir.resolve("missing.pem").toString());
      int code = runWithSettings(world, s);
      String e = err.toString(StandardCharsets.UTF_8);
      assertThat(code).isEqualTo(2);
      assertThat(e.lines()).hasSize(1);
      assertThat(e).contains("'M365SYNC_CERTIFICATE_PATH'").contains("cannot be read").contains("missing.pem")
          .doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void everyProblemIsListedAndNoSecretIsEchoed() {
    Map<String, String> s = Map.of("m365sync.clientId", "not-a-guid", "m365sync.clientSecret", "s3cr3t-value",
        "m365sync.resources", "EVENTS,CALENDAR");
    ConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigurationException.class,
        () -> RunnerConfig.from(s::get));
    assertThat(e.problems()).hasSize(4);
    assertThat(e.getMessage()).contains("M365SYNC_TENANT_ID").contains("'not-a-guid'").contains("M365SYNC_USERS")
        .contains("'CALENDAR'").doesNotContain("s3cr3t-value");
  }

  @Test
  void aRefusedSecretEndsWithOneLineNamingTheTenantAndClient() {
    try (DemoWorld world = DemoWorld.seed("alice", "bob")) {
      world.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
      Map<String, String> s = settings(world);
      s.put("m365sync.clientSecret", "wrong-secret-value");
      int code = runWithSettings(world, s);
      assertThat(code).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("Application mode: INACTIVE").contains("AADSTS7000215")
          .contains(DemoWorld.CLIENT_ID).doesNotContain("wrong-secret-value");
    }
  }

  private int runWithSettings(DemoWorld world, Map<String, String> s) {
    return runner(world).execute(s::get, new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
