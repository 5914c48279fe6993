package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.MailboxId;
import io.m365sync.TenantId;
import org.junit.jupiter.api.Test;

/**
 * A transaction H2 committed in memory but could not write to its file fails its call with a typed,
 * non-retryable error naming the operation and the mailbox: a restart will not see that commit.
 */
class FileWriteFailureTest {
  private static final MailboxId MAILBOX = new MailboxId(new TenantId("contoso"), "user-1");

  /** A store's one writer whose commits reach the file through a group commit that cannot write it. */
  private static Jdbc writerWithAFileThatFails() {
    GroupCommit failingFile = new GroupCommit(() -> {
      throw new IllegalStateException("No space left on device");
    });
    return new Jdbc(TestDatabases.h2Memory(), true, false, failingFile);
  }

  @Test
  void aCommitTheFileCouldNotTakeFailsItsCallNamingTheOperationAndTheMailbox() {
    Jdbc jdbc = writerWithAFileThatFails();

    assertThatThrownBy(() -> jdbc.tx("putLinks", MAILBOX, c -> null))
        .isInstanceOfSatisfying(JdbcStateException.class, e -> {
          assertThat(e.retryable()).isFalse();
          assertThat(e.mailbox()).contains(MAILBOX);
        })
        .hasMessage("m365sync-jdbc: putLinks for mailbox " + MAILBOX
            + " committed but could not be written to the file: No space left on device");
  }

  @Test
  void aReadDoesNotWaitForTheFile() {
    Jdbc jdbc = writerWithAFileThatFails();

    String read = jdbc.read("cursor", MAILBOX, c -> "read");
    assertThat(read).isEqualTo("read");
  }
}
