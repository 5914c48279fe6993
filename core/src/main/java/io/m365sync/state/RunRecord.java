package io.m365sync.state;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import java.time.Instant;

/** One finished mailbox round, for run history. */
public record RunRecord(MailboxId mailbox, Instant startedAt, Instant finishedAt, AuthMode mode,
                        MailboxStatus status, int applied, String errorCode) {}
