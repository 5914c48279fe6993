package io.m365sync.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import org.junit.jupiter.api.Test;

class MarkersTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  private static final MailboxId BOB = MailboxId.of("contoso", "oid-bob");

  @Test
  void everyMailboxsWindowAndWatermarkKeysShareOneNameSoTheInMemoryStoreHoldsNoCopyPerMailbox() {
    assertThat(Markers.key(ALICE, Resource.EVENTS, Markers.window()).container())
        .isEqualTo("m365sync:event-window")
        .isSameAs(Markers.key(BOB, Resource.EVENTS, Markers.window()).container());
    assertThat(Markers.key(ALICE, Resource.CONTACTS, Markers.crmWatermark()).container())
        .isEqualTo("m365sync:crm-watermark")
        .isSameAs(Markers.key(BOB, Resource.CONTACTS, Markers.crmWatermark()).container());
  }

  @Test
  void perRecordNamesKeepTheirStoredSpelling() {
    assertThat(Markers.base("crm-1")).isEqualTo("m365sync:base:crm-1");
    assertThat(Markers.identity("<a@b>")).startsWith("m365sync:mail:");
  }
}
