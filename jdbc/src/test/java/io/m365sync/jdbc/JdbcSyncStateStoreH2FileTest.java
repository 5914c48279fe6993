package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.notify.Subscription;
import io.m365sync.state.CursorKey;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.testkit.SyncStateStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: an H2 file that a second run resumes from. */
class JdbcSyncStateStoreH2FileTest extends SyncStateStoreContract {
  private static final Instant T = Instant.parse("2026-02-01T10:00:00Z");
  private static final MailboxId CAROL = MailboxId.of("fabrikam", "oid-carol");

  @TempDir
  Path dir;

  private JdbcSyncStateStore fileStore;

  @Override
  protected SyncStateStore newStore() {
    fileStore = JdbcSyncStateStore.h2File(dir.resolve("contract"));
    return fileStore;
  }

  @AfterEach
  void closeStore() {
    fileStore.close();
  }

  @Test
  void stateSurvivesCloseAndReopenOfTheSameFile() {
    Path file = dir.resolve("nested/dirs/m365sync");
    Mailbox mailbox = new Mailbox(CAROL, "carol@fabrikam.com", "crm-carol", T, EnumSet.of(Resource.MAIL));
    MailboxState status = MailboxState.pending(CAROL, T).withStatus(MailboxStatus.ACTIVE, AuthMode.APPLICATION,
        null, null, T.plusSeconds(1), null);
    CursorKey cursorKey = new CursorKey(CAROL, Resource.MAIL, "inbox");
    Subscription subscription = new Subscription("sub-inbox", CAROL, Resource.MAIL, "inbox",
        Subscription.hashClientState("carol's secret"), T.plusSeconds(3600), AuthMode.APPLICATION);
    long fence;
    try (JdbcSyncStateStore first = JdbcSyncStateStore.h2File(file)) {
      first.putEnrollment(mailbox);
      first.putTenantSettings(new TenantSettings(CAROL.tenant(), true));
      first.putStatus(status);
      fence = first.claimFence(CAROL);
      first.putCursor(cursorKey, "delta-after-round-1", fence);
      first.putLink(new IdLink(CAROL, Resource.MAIL, "crm-mail-1", "AAMk-1", "ck", 3), fence);
      first.putTokenCache(CAROL, new byte[] {5, 6, 7});
      first.recordRun(new RunRecord(CAROL, T, T.plusSeconds(2), AuthMode.APPLICATION, MailboxStatus.ACTIVE, 1, null));
      first.putSubscription(subscription);
      first.markDirty(CAROL, Resource.MAIL, T.plusSeconds(5), true);
    }
    assertThat(Files.exists(dir.resolve("nested/dirs/m365sync.mv.db"))).isTrue();

    try (JdbcSyncStateStore second = JdbcSyncStateStore.h2File(dir.resolve("nested/dirs/m365sync.mv.db"))) {
      assertThat(second.enrollments()).containsExactly(mailbox);
      assertThat(second.tenantSettings(CAROL.tenant())).contains(new TenantSettings(CAROL.tenant(), true));
      assertThat(second.status(CAROL)).contains(status);
      assertThat(second.cursor(cursorKey)).contains("delta-after-round-1");
      assertThat(second.linkByRemoteId(CAROL, Resource.MAIL, "AAMk-1"))
          .contains(new IdLink(CAROL, Resource.MAIL, "crm-mail-1", "AAMk-1", "ck", 3));
      assertThat(second.tokenCache(CAROL)).hasValueSatisfying(b -> assertThat(b).containsExactly(5, 6, 7));
      assertThat(second.runs(CAROL, 10)).hasSize(1);
      assertThat(second.subscription("sub-inbox")).contains(subscription);
      assertThat(second.dirtyMarks(CAROL)).containsExactly(new DirtyMark(CAROL, Resource.MAIL, T.plusSeconds(5), true));
      assertThat(second.subscriptionsExpiringBefore(T.plusSeconds(3601))).containsExactly(subscription);
      assertThat(second.subscription("sub-inbox").orElseThrow().clientStateMatches("carol's secret")).isTrue();
      assertThat(second.claimFence(CAROL)).isGreaterThan(fence);
    }
  }

  @Test
  void opensH2WithItsSharedValueCacheOffUnlessTheHostSetIt() {
    String hosts = System.getProperty(H2Files.VALUE_CACHE_PROPERTY);
    try {
      System.clearProperty(H2Files.VALUE_CACHE_PROPERTY);
      JdbcSyncStateStore.h2File(dir.resolve("uncached")).close();
      assertThat(System.getProperty(H2Files.VALUE_CACHE_PROPERTY)).isEqualTo("false");

      System.setProperty(H2Files.VALUE_CACHE_PROPERTY, "true");
      JdbcSyncStateStore.h2File(dir.resolve("cached")).close();
      assertThat(System.getProperty(H2Files.VALUE_CACHE_PROPERTY)).isEqualTo("true");
    } finally {
      if (hosts == null) {
        System.clearProperty(H2Files.VALUE_CACHE_PROPERTY);
      } else {
        System.setProperty(H2Files.VALUE_CACHE_PROPERTY, hosts);
      }
    }
  }
}
