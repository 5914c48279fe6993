package io.m365sync.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.TenantId;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.Contact;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Acceptance, run on H2 and on PostgreSQL by its subclasses: a Spring Boot application with only properties, a DataSource (H2 from
 * {@code spring.datasource.url}) and one {@code CrmStore<Contact>} bean syncs the emulator's tenant
 * through the real MSAL4J and Graph adapters on the db-scheduler cluster scheduler, and the actuator
 * answers over HTTP: Contoso's two mailboxes ACTIVE in application mode; Fabrikam, whose app secret
 * the CRM does not hold, DEGRADED with the AADSTS code and its mailbox needing a sign-in.
 */
@SpringBootTest(classes = StarterAcceptance.SampleApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // stop the scheduler's threads with the class
abstract class StarterAcceptance {
  static final String CLIENT_ID = "4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e";
  static final String SECRET = "spring-test-secret";

  /** One test class's Microsoft 365: Contoso, and Fabrikam whose app secret the CRM does not hold, on the emulator. */
  static final class World implements AutoCloseable {
    final Instant start = Instant.now();
    final CloudModel cloud = new CloudModel(new MutableClock(start));
    final TenantModel contoso = tenant("contoso.com", SECRET);
    final TenantModel fabrikam = tenant("fabrikam.com", "a-secret-the-crm-does-not-have");
    final M365Emulator emulator = new M365Emulator(cloud).start(0);

    private TenantModel tenant(String domain, String secret) {
      TenantModel t = cloud.addTenant(domain);
      t.registerApp(CLIENT_ID, "Contoso CRM").addSecret(secret, start.plus(Duration.ofDays(365)))
          .addApplicationPermissions(Resource.CONTACTS.applicationPermission()).grantAdminConsent();
      return t;
    }

    /** The sample app's whole configuration: its database, the app registration, and where Graph and Entra are. */
    void properties(DynamicPropertyRegistry p, String jdbcUrl, String user) {
      p.add("spring.datasource.url", () -> jdbcUrl);
      p.add("spring.datasource.username", () -> user);
      p.add("m365sync.client-id", () -> CLIENT_ID);
      p.add("m365sync.client-secret", () -> SECRET);
      p.add("m365sync.token-cache.key-id", () -> "k1");
      p.add("m365sync.token-cache.key", () -> "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
      p.add("m365sync.msal.route-token-requests-to", emulator::loginBaseUrl);
      p.add("m365sync.graph.base-url", emulator::graphBaseUrl);
      p.add("m365sync.scheduler.polling-interval", () -> "PT0.2S");
      p.add("m365sync.scheduler.jitter", () -> "PT0S");
      p.add("management.endpoints.web.exposure.include", () -> "health,m365sync,m365syncaudit");
      p.add("management.endpoint.health.show-details", () -> "always");
    }

    @Override
    public void close() {
      emulator.close();
    }
  }

  abstract World world();

  @SpringBootApplication
  static class SampleApp {
    @Bean
    CrmStore<Contact> crmContacts() {
      return new InMemoryCrmStore<>("contact");
    }
  }

  @Autowired SyncEngine engine;
  @Autowired CrmStore<Contact> crmContacts;
  @LocalServerPort int port;

  @Test
  void theSampleAppSyncsTheEmulatorsTenantAndTheActuatorShowsIt() throws Exception {
    TenantModel contosoTenant = world().contoso;
    TenantModel fabrikamTenant = world().fabrikam;
    List<MailboxId> contoso = List.of(enroll(contosoTenant, "alice"), enroll(contosoTenant, "bob"));
    MailboxId fabrikam = enroll(fabrikamTenant, "carol");

    awaitSettled(3);

    for (MailboxId m : contoso) {
      assertThat(engine.monitor().mailbox(m).orElseThrow().status()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(((InMemoryCrmStore<Contact>) crmContacts).items(m)).hasSize(1);
    }
    assertThat(engine.monitor().mailbox(fabrikam).orElseThrow().status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);

    JsonNode health = get("/actuator/health", 200);
    JsonNode m365 = health.path("components").path("m365sync");
    assertThat(m365.path("status").asString()).isEqualTo("DEGRADED");
    assertThat(m365.path("details").path("mailboxes").asInt()).isEqualTo(3);
    assertThat(m365.path("details").path("needingSignIn").asInt()).isEqualTo(1);
    JsonNode inactive = m365.path("details").path("inactiveTenants").path(fabrikamTenant.tenantId());
    assertThat(inactive.path("reasonCode").asString()).isEqualTo("AADSTS7000215");
    assertThat(m365.path("details").path("inactiveTenants").has(contosoTenant.tenantId())).isFalse();

    JsonNode overview = get("/actuator/m365sync", 200);
    assertThat(overview.path("mailboxes").asInt()).isEqualTo(3);
    assertThat(overview.path("byStatus").path("ACTIVE").asInt()).isEqualTo(2);
    assertThat(overview.path("byStatus").path("NEEDS_SIGN_IN").asInt()).isEqualTo(1);
    assertThat(overview.path("byTenant").path(contosoTenant.tenantId()).path("ACTIVE").asInt()).isEqualTo(2);
    assertThat(overview.path("byTenant").path(fabrikamTenant.tenantId()).path("NEEDS_SIGN_IN").asInt()).isEqualTo(1);
    assertThat(overview.path("tenants")).extracting(t -> t.path("tenant").asString() + "=" + t.path("appMode").asString())
        .containsExactlyInAnyOrder(contosoTenant.tenantId() + "=ACTIVE", fabrikamTenant.tenantId() + "=INACTIVE");

    JsonNode page = get("/actuator/m365sync/needing-sign-in?size=10", 200);
    assertThat(page.path("total").asInt()).isEqualTo(1);
    assertThat(page.path("next").isNull()).isTrue(); // the last page
    JsonNode firstOfAll = get("/actuator/m365sync/never-synced?size=1", 200);
    assertThat(firstOfAll.path("total").isNull()).isTrue();
    assertThat(page.path("mailboxes").get(0).path("userObjectId").asString()).isEqualTo(fabrikam.userObjectId());
    assertThat(get("/actuator/m365sync/failing", 200).path("total").asInt()).isZero();
    assertThat(get("/actuator/m365sync/quarantined", 200).path("total").asInt()).isZero();
    get("/actuator/m365sync/everyone", 400); // an unknown list is the caller's mistake, not a server error

    // the access audit: every mailbox touched app-only was enrolled (contoso's two; fabrikam never went app-only)
    JsonNode audit = get("/actuator/m365syncaudit?days=7", 200);
    assertThat(audit.path("rounds").asInt()).isPositive();
    assertThat(audit.path("mailboxes").size()).isEqualTo(2);
    assertThat(audit.path("mailboxes").toString()).contains(contosoTenant.tenantId()).doesNotContain(fabrikamTenant.tenantId());
    assertThat(audit.path("defects")).isEmpty();
    get("/actuator/m365syncaudit?days=0", 400);
  }

  /** What the host does when a user signs in to its add-in and the admin enables application permissions. */
  private MailboxId enroll(TenantModel tenant, String alias) {
    ModelUser user = tenant.addUser(alias);
    tenant.mailbox(user).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
    TenantId id = TenantId.of(tenant.tenantId());
    MailboxId mailbox = new MailboxId(id, user.objectId());
    engine.setApplicationPermissionEnabled(id, true);
    engine.enroll(new Mailbox(mailbox, user.userPrincipalName(), "crm-" + alias, Instant.now(), EnumSet.of(Resource.CONTACTS)));
    return mailbox;
  }

  /** Waits (at most 30 s) until the cluster scheduler has run a round of every mailbox. */
  private void awaitSettled(int mailboxes) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      List<MailboxState> all = engine.monitor().all();
      if (all.size() == mailboxes && all.stream().allMatch(s -> s.status() != MailboxStatus.PENDING)) {
        return;
      }
      Thread.sleep(100); // the db-scheduler polls on its own threads: the test can only look again
    }
    throw new AssertionError("the scheduler did not sync every mailbox within 30 s: " + engine.monitor().all());
  }

  private JsonNode get(String path, int expectedStatus) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(expectedStatus);
    return JsonMapper.builder().build().readTree(r.body());
  }
}
