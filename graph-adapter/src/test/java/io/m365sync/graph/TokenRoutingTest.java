package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Token routing: one HTTP client for every tenant, and no clear-text endpoint off the loopback interface. */
class TokenRoutingTest {
  private static final String CLIENT_ID = "6f1d2c3b-1a2b-4c5d-8e9f-0a1b2c3d4e5f";

  /** The JDK HttpClient runs one selector thread per client, named HttpClient-N-SelectorManager. */
  private static long httpClientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("HttpClient-") && t.getName().endsWith("SelectorManager")).count();
  }

  @Test
  void twelveTenantsShareOneHttpClient() {
    MutableClock clock = MutableClock.startingNow();
    CloudModel cloud = new CloudModel(clock);
    try (M365Emulator emulator = new M365Emulator(cloud).start()) {
      MsalApplicationTokenStrategy app = MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID)
          .credential(AppCredential.secret("s3cret")).clock(clock).routeTokenRequestsTo(URI.create(emulator.loginBaseUrl()))
          .build();
      long before = httpClientThreads();
      for (int i = 0; i < 12; i++) {
        TenantModel t = cloud.addTenant("tenant" + i + ".example.com");
        t.registerApp(CLIENT_ID, "CRM").addSecret("s3cret", clock.instant().plus(Duration.ofDays(30)))
            .addApplicationPermissions(Resource.EVENTS.applicationPermission()).grantAdminConsent();
        ModelUser u = t.addUser("u");
        app.acquire(new Mailbox(new MailboxId(TenantId.of(t.tenantId()), u.objectId()), u.userPrincipalName(), "crm",
            clock.instant(), EnumSet.of(Resource.EVENTS)), Purpose.BACKGROUND_SYNC);
      }
      assertThat(cloud.log().tokens().succeeded().count()).isEqualTo(12);
      assertThat(httpClientThreads() - before).as("HTTP client selector threads started for 12 tenants").isLessThanOrEqualTo(1);
    }
  }

  @Test
  void clearTextTokenRoutingToAnotherHostIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> MsalApplicationTokenStrategy.builder()
        .routeTokenRequestsTo(URI.create("http://token-gateway.corp.example:8080/")))
        .isInstanceOf(InsecureEndpointException.class)
        .hasMessageContaining("'routeTokenRequestsTo'").hasMessageContaining("https")
        .hasMessageContaining("http://token-gateway.corp.example:8080/")
        .satisfies(e -> assertThat(((InsecureEndpointException) e).setting()).isEqualTo("routeTokenRequestsTo"));
    assertThatThrownBy(() -> MsalDelegatedTokenStrategy.builder().routeTokenRequestsTo(URI.create("http://10.0.0.7/")))
        .isInstanceOf(InsecureEndpointException.class);
    assertThatThrownBy(() -> GraphMailboxGateway.builder().baseUrl("http://graph.example.com/v1.0"))
        .isInstanceOf(InsecureEndpointException.class).hasMessageContaining("'baseUrl'");
    assertThatThrownBy(() -> GraphDirectorySource.builder().baseUrl("http://graph.example.com/v1.0"))
        .isInstanceOf(InsecureEndpointException.class).hasMessageContaining("'baseUrl'");
  }

  @Test
  void loopbackAndHttpsAreAccepted() {
    for (String ok : new String[] {"http://127.0.0.1:8080/", "http://localhost:1/", "http://[::1]:9/", "https://gw.example.com/"}) {
      MsalApplicationTokenStrategy.builder().routeTokenRequestsTo(URI.create(ok));
      GraphMailboxGateway.builder().baseUrl(ok + "v1.0");
    }
    assertThatThrownBy(() -> GraphMailboxGateway.builder().baseUrl("ftp://graph.example.com/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute http(s) URL");
  }
}
