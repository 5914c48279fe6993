package io.m365sync.testkit.model;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;

/** Windows and IANA time zone names as Outlook accepts them. */
public final class TimeZoneNames {
  private static final Map<String, String> WINDOWS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  static {
    WINDOWS.put("UTC", "UTC");
    WINDOWS.put("Coordinated Universal Time", "UTC");
    WINDOWS.put("GMT Standard Time", "Europe/London");
    WINDOWS.put("Greenwich Standard Time", "Atlantic/Reykjavik");
    WINDOWS.put("W. Europe Standard Time", "Europe/Berlin");
    WINDOWS.put("Central Europe Standard Time", "Europe/Budapest");
    WINDOWS.put("Romance Standard Time", "Europe/Paris");
    WINDOWS.put("Central European Standard Time", "Europe/Warsaw");
    WINDOWS.put("E. Europe Standard Time", "Europe/Chisinau");
    WINDOWS.put("FLE Standard Time", "Europe/Kiev");
    WINDOWS.put("GTB Standard Time", "Europe/Bucharest");
    WINDOWS.put("Russian Standard Time", "Europe/Moscow");
    WINDOWS.put("Eastern Standard Time", "America/New_York");
    WINDOWS.put("Central Standard Time", "America/Chicago");
    WINDOWS.put("Mountain Standard Time", "America/Denver");
    WINDOWS.put("US Mountain Standard Time", "America/Phoenix");
    WINDOWS.put("Pacific Standard Time", "America/Los_Angeles");
    WINDOWS.put("Alaskan Standard Time", "America/Anchorage");
    WINDOWS.put("Hawaiian Standard Time", "Pacific/Honolulu");
    WINDOWS.put("Atlantic Standard Time", "America/Halifax");
    WINDOWS.put("E. South America Standard Time", "America/Sao_Paulo");
    WINDOWS.put("India Standard Time", "Asia/Kolkata");
    WINDOWS.put("China Standard Time", "Asia/Shanghai");
    WINDOWS.put("Tokyo Standard Time", "Asia/Tokyo");
    WINDOWS.put("Singapore Standard Time", "Asia/Singapore");
    WINDOWS.put("AUS Eastern Standard Time", "Australia/Sydney");
    WINDOWS.put("New Zealand Standard Time", "Pacific/Auckland");
    WINDOWS.put("Arabian Standard Time", "Asia/Dubai");
    WINDOWS.put("South Africa Standard Time", "Africa/Johannesburg");
  }

  private TimeZoneNames() {}

  /** The zone for a Windows or IANA name; null when unknown. */
  public static ZoneId zone(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    String iana = WINDOWS.get(name.trim());
    try {
      return ZoneId.of(iana != null ? iana : name.trim());
    } catch (DateTimeException e) {
      return null;
    }
  }
}
