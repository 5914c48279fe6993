package io.m365sync.graph;

import java.util.List;

/**
 * Graph's enumerations as the library keeps them: the documented lower-camel spelling, whatever case
 * Graph (or a proxy, or an older Exchange) answered with. Without it "Scheduled" and "scheduled" differ,
 * and a syncer comparing the two pushes the same value again every round. Unknown values are kept as
 * they came (a newer Graph may add members).
 */
final class GraphEnums {
  static final List<String> AUTOMATIC_REPLIES_STATUS = List.of("disabled", "alwaysEnabled", "scheduled");
  static final List<String> IMPORTANCE = List.of("low", "normal", "high");
  static final List<String> ATTENDEE_TYPE = List.of("required", "optional", "resource");
  static final List<String> RESPONSE = List.of("none", "organizer", "tentativelyAccepted", "accepted", "declined",
      "notResponded");
  static final List<String> EVENT_TYPE = List.of("singleInstance", "occurrence", "exception", "seriesMaster");
  static final List<String> TASK_STATUS = List.of("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred");

  private GraphEnums() {}

  /** {@code raw} in its documented spelling from {@code known}; null for null, unknown values as they are. */
  static String canonical(String raw, List<String> known) {
    if (raw == null) {
      return null;
    }
    String v = raw.strip();
    for (String k : known) {
      if (k.equalsIgnoreCase(v)) {
        return k;
      }
    }
    return raw;
  }
}
