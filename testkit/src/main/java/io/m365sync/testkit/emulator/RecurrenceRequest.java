package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * What the emulator accepts as an event's {@code recurrence} (the patterns the model's recurrence
 * expands), refused with Graph's 400 errors before anything is stored.
 */
final class RecurrenceRequest {
  private RecurrenceRequest() {}

  static void validate(ObjectNode r) {
    JsonNode p = r.get("pattern");
    JsonNode range = r.get("range");
    if (p == null || !p.isObject() || range == null || !range.isObject()) {
      throw new HttpError(400, "ErrorInvalidRequest", "The recurrence needs a pattern and a range.");
    }
    String type = Json.text(p, "type");
    if (!List.of("daily", "weekly", "absoluteMonthly").contains(type)) {
      throw new HttpError(400, "ErrorInvalidRecurrence", "The emulator supports daily, weekly and absoluteMonthly patterns, not '" + type + "'.");
    }
    String rangeType = Json.text(range, "type");
    if (!List.of("endDate", "numbered", "noEnd").contains(rangeType)) {
      throw new HttpError(400, "ErrorInvalidRecurrence", "Invalid recurrence range type '" + rangeType + "'.");
    }
    for (JsonNode d : p.path("daysOfWeek")) {
      if (!List.of("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
          .contains(d.asText().toLowerCase(java.util.Locale.ROOT))) {
        throw new HttpError(400, "ErrorInvalidRecurrence", "Invalid day of week '" + d.asText() + "'.");
      }
    }
    date(Json.text(range, "startDate"));
    date(Json.text(range, "endDate"));
  }

  private static void date(String s) {
    if (s == null || s.isBlank() || s.startsWith("0001")) {
      return;
    }
    try {
      LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw new HttpError(400, "ErrorInvalidRecurrence", "Invalid recurrence date '" + s + "'.");
    }
  }
}
