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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Acceptance: a Spring Boot application with only properties, a DataSource (H2 from
 * {@code spring.datasource.url}) and one {@code CrmStore<Contact>} bean syncs the emulator's tenant
 * through the real MSAL4J and Graph adapters on the db-scheduler cluster scheduler, and the actuator
 * answers over HTTP: Contoso's two mailboxes ACTIVE in application mode; Fabrikam, whose app secret
 * the CRM does not hold, DEGRADED with the AADSTS code and its mailbox needing a sign-in.
 */
@SpringBootTest(classes = SpringBootStarterAcceptanceTest.SampleApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringBootStarterAcceptanceTest {
  static final String CLIENT_ID = "4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e";
  static final String SECRET = "spring-test-secret";
  static final Instant START = Instant.now();

  static final CloudModel CLOUD = new CloudModel(new MutableClock(START));
  static final TenantModel CONTOSO = tenant("contoso.com", SECRET);
  static final TenantModel FABRIKAM = tenant("fabrikam.com", "a-secret-the-crm-does-not-have");
  static final M365Emulator EMULATOR = new M365Emulator(CLOUD).start(0);

  @SpringBootApplication
  static class SampleApp {
    @Bean
    CrmStore<Contact> crmContacts() {
      return new InMemoryCrmStore<>("contact");
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry p) {
    p.add("spring.datasource.url", () -> "jdbc:h2:mem:spring-starter;DB_CLOSE_DELAY=-1");
    p.add("m365sync.client-id", () -> CLIENT_ID);
    p.add("m365sync.client-secret", () -> SECRET);
    p.add("m365sync.token-cache.key-id", () -> "k1");
    p.add("m365sync.token-cache.key", () -> "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    p.add("m365sync.msal.route-token-requests-to", EMULATOR::loginBaseUrl);
    p.add("m365sync.graph.base-url", EMULATOR::graphBaseUrl);
    p.add("m365sync.scheduler.polling-interval", () -> "PT0.2S");
    p.add("m365sync.scheduler.jitter", () -> "PT0S");
    p.add("management.endpoints.web.exposure.include", () -> "health,m365sync");
    p.add("management.endpoint.health.show-details", () -> "always");
  }

  @Autowired SyncEngine engine;
  @Autowired CrmStore<Contact> crmContacts;
  @LocalServerPort int port;

  @AfterAll
  static void stopEmulator() {
    EMULATOR.close();
  }

  @Test
  void theSampleAppSyncsTheEmulatorsTenantAndTheActuatorShowsIt() throws Exception {
    List<MailboxId> contoso = List.of(enroll(CONTOSO, "alice"), enroll(CONTOSO, "bob"));
    MailboxId fabrikam = enroll(FABRIKAM, "carol");

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
    JsonNode inactive = m365.path("details").path("inactiveTenants").path(FABRIKAM.tenantId());
    assertThat(inactive.path("reasonCode").asString()).isEqualTo("AADSTS7000215");
    assertThat(m365.path("details").path("inactiveTenants").has(CONTOSO.tenantId())).isFalse();

    JsonNode overview = get("/actuator/m365sync", 200);
    assertThat(overview.path("mailboxes").asInt()).isEqualTo(3);
    assertThat(overview.path("byStatus").path("ACTIVE").asInt()).isEqualTo(2);
    assertThat(overview.path("byStatus").path("NEEDS_SIGN_IN").asInt()).isEqualTo(1);
    assertThat(overview.path("byTenant").path(CONTOSO.tenantId()).path("ACTIVE").asInt()).isEqualTo(2);
    assertThat(overview.path("byTenant").path(FABRIKAM.tenantId()).path("NEEDS_SIGN_IN").asInt()).isEqualTo(1);
    assertThat(overview.path("tenants")).extracting(t -> t.path("tenant").asString() + "=" + t.path("appMode").asString())
        .containsExactlyInAnyOrder(CONTOSO.tenantId() + "=ACTIVE", FABRIKAM.tenantId() + "=INACTIVE");

    JsonNode page = get("/actuator/m365sync/needing-sign-in?page=0&size=10", 200);
    assertThat(page.path("total").asInt()).isEqualTo(1);
    assertThat(page.path("mailboxes").get(0).path("userObjectId").asString()).isEqualTo(fabrikam.userObjectId());
    assertThat(get("/actuator/m365sync/failing", 200).path("total").asInt()).isZero();
    assertThat(get("/actuator/m365sync/quarantined", 200).path("total").asInt()).isZero();
  }

  private static TenantModel tenant(String domain, String secret) {
    TenantModel t = CLOUD.addTenant(domain);
    t.registerApp(CLIENT_ID, "Contoso CRM").addSecret(secret, START.plus(Duration.ofDays(365)))
        .addApplicationPermissions(Resource.CONTACTS.applicationPermission()).grantAdminConsent();
    return t;
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
