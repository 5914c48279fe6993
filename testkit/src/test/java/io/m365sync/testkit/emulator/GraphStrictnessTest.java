package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.model.Contact;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator is as strict and as messy as Graph where clients trip: paths, links, throttling, partial answers, rights, shapes. */
class GraphStrictnessTest {
  final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private void contacts(int n) {
    for (int i = 0; i < n; i++) {
      f.tenant.mailbox(f.alice).contacts().create(Contact.of("Ada" + i, "King", "ada" + i + "@example.com"));
    }
  }

  @Test
  void pathSegmentsAreCaseInsensitiveAndIdsAreNot() {
    contacts(1);
    String token = f.appToken();
    RawHttp.Response r = f.http.get(f.graph("/USERS/" + f.alice.objectId() + "/Contacts"), token);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("value")).hasSize(1);
    assertThat(f.http.get(f.graph("/users/" + f.alice.objectId() + "/mailboxsettings"), token).status()).isEqualTo(200);
  }

  @Test
  void theKeyFormIsAcceptedAndUsedInTheNextLinksReturned() {
    contacts(3);
    String token = f.appToken();
    RawHttp.Response first = f.http.get(f.graph("/users('" + f.alice.userPrincipalName() + "')/contacts/delta?$top=1"), token);
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    List<String> seen = new ArrayList<>();
    JsonNode page = first.json();
    while (true) {
      page.get("value").forEach(v -> seen.add(v.get("id").asText()));
      JsonNode next = page.get("@odata.nextLink");
      if (next == null) {
        assertThat(page.get("@odata.deltaLink").asText()).contains("/users('" + f.alice.userPrincipalName() + "')/contacts/delta?");
        break;
      }
      assertThat(next.asText()).contains("/v1.0/users('" + f.alice.userPrincipalName() + "')/contacts/delta?");
      RawHttp.Response r = f.http.get(next.asText(), token);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      page = r.json();
    }
    assertThat(seen).hasSize(3).doesNotHaveDuplicates();
  }

  @Test
  void throttlingCanSayRetryAfterWithAFraction() {
    f.tenant.addFault(FaultRule.fail("contacts", null, 1, GraphError.throttled(Duration.ofMillis(2500))));
    RawHttp.Response r = f.http.get(f.graph("/users/" + f.alice.objectId() + "/contacts"), f.appToken());
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("Retry-After")).isEqualTo("2.5");
  }

  @Test
  void aMailboxSettingsPatchAnswersWithThePatchedPartOnly() {
    RawHttp.Response r = f.http.send("PATCH", f.graph("/users/" + f.alice.objectId() + "/mailboxSettings"), f.appToken(),
        "{\"automaticRepliesSetting\":{\"status\":\"alwaysEnabled\",\"internalReplyMessage\":\"away\"}}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("automaticRepliesSetting").get("status").asText()).isEqualTo("alwaysEnabled");
    assertThat(r.json().has("workingHours")).isFalse();
    assertThat(r.json().has("timeZone")).isFalse();
    assertThat(f.tenant.mailbox(f.alice).settings().automaticReplies().status()).isEqualTo("alwaysEnabled");
  }

  @Test
  void directoryReadsNeedADirectoryPermission() {
    String token = f.appToken();
    RawHttp.Response denied = f.http.get(f.graph("/servicePrincipals(appId='" + Fixture.CLIENT_ID + "')"), token);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.json().at("/error/code").asText()).isEqualTo("Authorization_RequestDenied");
    assertThat(f.http.get(f.graph("/users/" + f.alice.objectId() + "/transitiveMemberOf"), token).status()).isEqualTo(403);

    f.app.addApplicationPermissions("Application.Read.All", "GroupMember.Read.All").grantAdminConsent();
    String granted = f.appToken();
    assertThat(f.http.get(f.graph("/servicePrincipals(appId='" + Fixture.CLIENT_ID + "')"), granted).status()).isEqualTo(200);
    assertThat(f.http.get(f.graph("/users/" + f.alice.objectId() + "/transitiveMemberOf"), granted).status()).isEqualTo(200);
    assertThat(f.http.get(f.graph("/users"), granted).status()).as("users need a user permission").isEqualTo(403);
  }

  @Test
  void deltaItemsCarryTheirODataType() {
    contacts(1);
    JsonNode page = f.http.get(f.graph("/users/" + f.alice.objectId() + "/contacts/delta"), f.appToken()).json();
    assertThat(page.get("value")).singleElement()
        .satisfies(v -> assertThat(v.get("@odata.type").asText()).isEqualTo("#microsoft.graph.contact"));
  }

  @Test
  void outlookAnswersDeltaTokenLatestAsAFirstRoundWithEveryItem() {
    // Graph documents "sync from now" for directory objects only; Outlook users report every item back
    contacts(2);
    JsonNode page = f.http.get(f.graph("/users/" + f.alice.objectId() + "/contacts/delta?$deltatoken=latest"), f.appToken())
        .json();
    assertThat(page.get("value")).hasSize(2);
    assertThat(page.has("@odata.deltaLink")).isTrue();
  }

  @Test
  void selectReturnsOnlyTheSelectedPropertiesAndTheId() {
    contacts(2);
    JsonNode page = f.http.get(f.graph("/users/" + f.alice.objectId() + "/contacts?$select=givenName"), f.appToken()).json();
    assertThat(page.get("value")).hasSize(2).allSatisfy(v -> {
      List<String> names = new ArrayList<>();
      v.fieldNames().forEachRemaining(names::add);
      assertThat(names).filteredOn(n -> !n.startsWith("@odata.")).containsExactlyInAnyOrder("id", "givenName");
    });
  }

  @Test
  void aFaultRuleCanAnswerA5xxWithoutJson() {
    f.tenant.addFault(FaultRule.failWithRawBody("contacts", null, 1, 502, "text/html",
        "<html><body>502 Bad Gateway</body></html>"));
    f.tenant.addFault(FaultRule.failWithRawBody("contacts", null, 1, 503, null, ""));
    String token = f.appToken();
    String url = f.graph("/users/" + f.alice.objectId() + "/contacts");
    RawHttp.Response html = f.http.get(url, token);
    assertThat(html.status()).isEqualTo(502);
    assertThat(html.header("Content-Type")).startsWith("text/html");
    assertThat(html.text()).contains("Bad Gateway");
    RawHttp.Response empty = f.http.get(url, token);
    assertThat(empty.status()).isEqualTo(503);
    assertThat(empty.text()).isEmpty();
    assertThat(f.http.get(url, token).status()).isEqualTo(200);
  }
}
