package io.m365sync.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Windows time zone names (as Outlook and Graph write them in {@code dateTimeTimeZone.timeZone},
 * {@code originalStartTimeZone} and mailbox settings) and IANA time zone ids, both ways, after the
 * Unicode CLDR table {@code windowsZones.xml}, held in the resource {@code windows-zones.tsv} beside
 * this class (Unicode data, Unicode License v3; see the resource's header for its version and how to
 * regenerate it).
 *
 * <p>Windows → IANA gives CLDR's territory "001" default; IANA → Windows accepts every IANA id CLDR
 * lists for a Windows zone in any territory. Windows names are matched ignoring case, as Graph does;
 * IANA ids exactly. Stateless and thread-safe.
 */
public final class WindowsTimeZones {
  private static final String RESOURCE = "windows-zones.tsv";
  private static final Map<String, String> TO_IANA = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private static final Map<String, String> TO_WINDOWS = new HashMap<>();
  private static final List<String> NAMES;

  static {
    List<String> names = new ArrayList<>();
    try (InputStream in = WindowsTimeZones.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing beside " + WindowsTimeZones.class.getName());
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] cols = line.split("\t");
        names.add(cols[0]);
        TO_IANA.put(cols[0], cols[1]);
        for (String iana : cols[2].split(" ")) {
          TO_WINDOWS.putIfAbsent(iana, cols[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NAMES = List.copyOf(names);
  }

  private WindowsTimeZones() {}

  /** Every Windows zone name in the table, in CLDR's order (by UTC offset). */
  public static List<String> windowsNames() {
    return NAMES;
  }

  /** CLDR's default IANA id (territory "001") for a Windows zone name; empty when the name is not in the table. */
  public static Optional<String> ianaId(String windowsName) {
    return windowsName == null ? Optional.empty() : Optional.ofNullable(TO_IANA.get(windowsName.trim()));
  }

  /**
   * The Windows zone name for an IANA id (any id CLDR lists, e.g. {@code Australia/Lindeman} as well
   * as {@code Australia/Brisbane}; {@code UTC} as {@code "UTC"}); empty when CLDR maps it to none.
   */
  public static Optional<String> windowsName(String ianaId) {
    if (ianaId == null) {
      return Optional.empty();
    }
    String id = ianaId.trim();
    if (id.equals("UTC") || id.equals("Z")) {
      return Optional.of("UTC");
    }
    return Optional.ofNullable(TO_WINDOWS.get(id));
  }

  /**
   * The zone a Windows name or an IANA id (or a {@link ZoneId#of} offset form) stands for; null when
   * it is none of these, e.g. a custom zone ({@code tzone://Microsoft/Custom}) or a Windows zone newer
   * than the table. Callers that write a zone back keep the original name for those, never UTC.
   */
  public static ZoneId zone(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    String n = name.trim();
    if (n.equalsIgnoreCase("UTC")) {
      return ZoneOffset.UTC;
    }
    String iana = TO_IANA.get(n);
    try {
      return ZoneId.of(iana != null ? iana : n);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
