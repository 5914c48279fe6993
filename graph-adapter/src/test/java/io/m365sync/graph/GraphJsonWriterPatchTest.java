package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** PATCH bodies carry only the patch's fields, in Graph's shape. */
class GraphJsonWriterPatchTest {
  static final Contact ADA = new Contact("Ada", "King", null, List.of("ada@example.com"), List.of("+44 20 7946 0000"),
      "Analytical Engines", null, Map.of("crm.accountId", "42", "crm.owner", "bob"));

  static JsonNode json(byte[] body) throws IOException {
    return GraphJsonReader.MAPPER.readTree(body);
  }

  @Test
  void aContactPatchWritesTheChangedFieldsAndExtensionKeysOnly() throws IOException {
    JsonNode body = json(GraphJsonWriter.patch(new ItemPatch<>(ADA, Set.of("surname", "phones", "jobTitle"),
        Set.of("crm.accountId"))));
    assertThat(body.fieldNames()).toIterable()
        .containsExactlyInAnyOrder("surname", "businessPhones", "jobTitle", "singleValueExtendedProperties");
    assertThat(body.get("jobTitle").isNull()).as("cleared in the CRM").isTrue();
    assertThat(body.get("businessPhones").get(0).asText()).isEqualTo("+44 20 7946 0000");
    assertThat(body.get("singleValueExtendedProperties")).singleElement()
        .satisfies(p -> assertThat(p.get("id").asText()).endsWith("Name crm.accountId"));
  }

  @Test
  void anEventTimeChangeWritesStartAndEndWithTheirZone() throws IOException {
    Instant start = Instant.parse("2026-03-02T17:00:00Z");
    CalendarEvent e = new CalendarEvent("Review", null, start, start.plusSeconds(3600), "Pacific Standard Time", false,
        null, EmailAddress.of("a@contoso.com"), List.of(), CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "uid",
        Map.of());
    JsonNode body = json(GraphJsonWriter.patch(new ItemPatch<>(e, Set.of("start", "body"), Set.of())));
    assertThat(body.fieldNames()).toIterable().containsExactlyInAnyOrder("start", "end", "body");
    assertThat(body.get("start").get("timeZone").asText()).isEqualTo("Pacific Standard Time");
    assertThat(body.get("start").get("dateTime").asText()).startsWith("2026-03-02T09:00:00");
    assertThat(body.get("body").get("content").asText()).as("a cleared body").isEmpty();
  }

  @Test
  void aWholeItemPatchIsTheWholeItem() {
    assertThat(GraphJsonWriter.patch(ItemPatch.full(ADA))).isEqualTo(GraphJsonWriter.write(ADA));
  }
}
