package io.m365sync.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SubscriptionTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  private static final Instant EXPIRY = Instant.parse("2026-01-08T09:00:00Z");
  private static final String SECRET = "s3cr3t-client-state-Zq9";

  private static Subscription sub(String hash) {
    return new Subscription("sub-1", ALICE, Resource.EVENTS, null, hash, EXPIRY, AuthMode.APPLICATION);
  }

  @Test
  void theHashIsSha256HexAndMatchesOnlyTheSameClientState() {
    // SHA-256("abc"), the FIPS 180-2 test vector
    assertThat(Subscription.hashClientState("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Subscription sub = sub(Subscription.hashClientState(SECRET));
    assertThat(sub.clientStateMatches(SECRET)).isTrue();
    assertThat(sub.clientStateMatches(SECRET + "x")).isFalse();
    assertThat(sub.clientStateMatches("")).isFalse();
    assertThat(sub.clientStateMatches(null)).isFalse();
    assertThat(sub(Subscription.hashClientState(SECRET).toUpperCase()).clientStateHash())
        .isEqualTo(Subscription.hashClientState(SECRET));
  }

  @Test
  void aNullContainerIsTheDefaultOneAndRenewalKeepsEverythingButTheExpiry() {
    Subscription sub = sub(Subscription.hashClientState(SECRET));
    assertThat(sub.container()).isEmpty();
    Subscription renewed = sub.renewedUntil(EXPIRY.plusSeconds(3600));
    assertThat(renewed).isEqualTo(new Subscription("sub-1", ALICE, Resource.EVENTS, sub.clientStateHash(),
        EXPIRY.plusSeconds(3600), AuthMode.APPLICATION));
    assertThat(sub.expiredAt(EXPIRY.minusNanos(1))).isFalse();
    assertThat(sub.expiredAt(EXPIRY)).isTrue();
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    String hash = Subscription.hashClientState(SECRET);
    assertThatThrownBy(() -> new Subscription(" ", ALICE, Resource.EVENTS, "", hash, EXPIRY, AuthMode.DELEGATED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'id'");
    assertThatThrownBy(() -> new Subscription("s", null, Resource.EVENTS, "", hash, EXPIRY, AuthMode.DELEGATED))
        .hasMessageContaining("'mailbox'");
    assertThatThrownBy(() -> new Subscription("s", ALICE, null, "", hash, EXPIRY, AuthMode.DELEGATED))
        .hasMessageContaining("'resource'");
    assertThatThrownBy(() -> new Subscription("s", ALICE, Resource.MAILBOX_SETTINGS, "", hash, EXPIRY,
        AuthMode.DELEGATED)).hasMessageContaining("MAILBOX_SETTINGS").hasMessageContaining("polling");
    assertThatThrownBy(() -> new Subscription("s", ALICE, Resource.EVENTS, "", null, EXPIRY, AuthMode.DELEGATED))
        .hasMessageContaining("'clientStateHash'");
    assertThatThrownBy(() -> new Subscription("s", ALICE, Resource.EVENTS, "", hash, null, AuthMode.DELEGATED))
        .hasMessageContaining("'expiresAt'");
    assertThatThrownBy(() -> new Subscription("s", ALICE, Resource.EVENTS, "", hash, EXPIRY, null))
        .hasMessageContaining("'mode'");
  }

  /** A caller that mixes up the secret and its hash must not find the secret in a log. */
  @Test
  void aClientStatePassedAsTheHashIsRefusedWithoutQuotingIt() {
    String secretOf64 = "Z".repeat(64);
    for (String notAHash : new String[] {SECRET, secretOf64}) {
      assertThatThrownBy(() -> sub(notAHash)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'clientStateHash'").hasMessageContaining("SHA-256")
          .hasMessageNotContaining(notAHash);
    }
  }

  @Test
  void toStringShowsTheSubscriptionButOnlyAShortPrefixOfTheHash() {
    String hash = Subscription.hashClientState(SECRET);
    String text = new Subscription("sub-1", ALICE, Resource.MAIL, "inbox", hash, EXPIRY, AuthMode.DELEGATED).toString();
    assertThat(text).contains("sub-1", ALICE.key(), "MAIL", "inbox", "DELEGATED", EXPIRY.toString(),
        hash.substring(0, 8)).doesNotContain(hash.substring(0, 9)).doesNotContain(SECRET);
  }
}
