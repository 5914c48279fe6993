package io.m365sync.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The CLDR Windows ↔ IANA table: complete, both ways, case-insensitive on the Windows side. */
class WindowsTimeZonesTest {

  @Test
  void theWholeCldrTableIsLoadedAndEveryWindowsNameResolvesToItsTerritory001Zone() {
    assertThat(WindowsTimeZones.windowsNames()).hasSizeGreaterThan(130).doesNotHaveDuplicates();
    for (String name : WindowsTimeZones.windowsNames()) {
      String iana = WindowsTimeZones.ianaId(name).orElseThrow();
      assertThat(WindowsTimeZones.zone(name)).as(name).isNotNull();
      assertThat(WindowsTimeZones.windowsName(iana)).as(iana).contains(name);
    }
  }

  @Test
  void zonesTheOldTwentyNineEntryTableMissedResolve() {
    assertThat(WindowsTimeZones.zone("E. Australia Standard Time")).isEqualTo(ZoneId.of("Australia/Brisbane"));
    assertThat(WindowsTimeZones.zone("Korea Standard Time")).isEqualTo(ZoneId.of("Asia/Seoul"));
    assertThat(WindowsTimeZones.zone("Turkey Standard Time")).isEqualTo(ZoneId.of("Europe/Istanbul"));
    assertThat(WindowsTimeZones.zone("Central Standard Time (Mexico)")).isEqualTo(ZoneId.of("America/Mexico_City"));
    assertThat(WindowsTimeZones.zone("korea standard time")).as("Graph matches names ignoring case")
        .isEqualTo(ZoneId.of("Asia/Seoul"));
  }

  @Test
  void everyListedIanaIdMapsBackToItsWindowsName() {
    assertThat(WindowsTimeZones.windowsName("Australia/Lindeman")).contains("E. Australia Standard Time");
    assertThat(WindowsTimeZones.windowsName("America/Indiana/Knox")).contains("Central Standard Time");
    assertThat(WindowsTimeZones.windowsName("Etc/GMT")).contains("UTC");
    assertThat(WindowsTimeZones.windowsName("UTC")).contains("UTC");
    assertThat(WindowsTimeZones.windowsName("Mars/Olympus_Mons")).isEmpty();
  }

  @Test
  void ianaIdsAndOffsetsResolveAndCustomZonesDoNot() {
    assertThat(WindowsTimeZones.zone("UTC")).isEqualTo(ZoneOffset.UTC);
    assertThat(WindowsTimeZones.zone("Europe/Berlin")).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(WindowsTimeZones.zone("tzone://Microsoft/Custom")).isNull();
    assertThat(WindowsTimeZones.zone("Customized Time Zone")).isNull();
    assertThat(WindowsTimeZones.zone(null)).isNull();
  }
}
