package io.m365sync.internal;

import io.m365sync.Mailbox;
import io.m365sync.auth.KeepAliveReport;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.UnreadableStateException;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegated keep-alive pass, run by the engine's scheduler every {@code keepAliveInterval}:
 * each enrolled mailbox that does not need a sign-in is handed to the delegated strategy under its
 * own lock after the enrollment is read again, so an unenroll never races a refresh that would
 * store its token cache back. A mailbox whose round holds the lock is skipped: the round refreshes.
 */
final class KeepAlivePass {
  private static final Logger log = LoggerFactory.getLogger(KeepAlivePass.class);

  private final EngineContext ctx;
  private final MailboxLocks locks;
  private Instant lastPass;

  KeepAlivePass(EngineContext ctx, MailboxLocks locks) {
    this.ctx = ctx;
    this.locks = locks;
  }

  /** Runs a pass if {@code keepAliveInterval} has passed since the last one (or none ran yet). */
  synchronized KeepAliveReport runIfDue() {
    Instant now = ctx.clock().instant();
    if (ctx.delegated() == null || (lastPass != null && now.isBefore(lastPass.plus(ctx.options().keepAliveInterval())))) {
      return KeepAliveReport.empty();
    }
    lastPass = now;
    KeepAliveReport report = KeepAliveReport.empty();
    for (Mailbox m : ctx.store().enrollments(row -> {})) {
      report = report.plus(locks.tryWithLock(m.id(), slot -> slot.stopped() ? KeepAliveReport.empty() : keepAlive(m),
          KeepAliveReport::empty));
    }
    log.info("m365sync keep-alive: {} refreshed, {} fresh, {} need sign-in, {} failed", report.refreshed().size(),
        report.fresh().size(), report.needsSignIn().size(), report.failed().size());
    return report;
  }

  private KeepAliveReport keepAlive(Mailbox listed) {
    Mailbox mailbox = ctx.store().enrollment(listed.id()).orElse(null);
    if (mailbox == null || needsSignIn(mailbox)) {
      return KeepAliveReport.empty(); // unenrolled meanwhile, or no grant to keep: no token request
    }
    try {
      return ctx.delegated().keepAlive(List.of(mailbox), ctx.listener());
    } catch (RuntimeException e) {
      log.warn("Keep-alive of mailbox {} failed", mailbox.id(), e);
      return KeepAliveReport.empty();
    }
  }

  private boolean needsSignIn(Mailbox mailbox) {
    try {
      return ctx.store().status(mailbox.id()).map(MailboxState::status).orElse(null) == MailboxStatus.NEEDS_SIGN_IN;
    } catch (UnreadableStateException e) {
      return true; // unknown state: leave the grant alone until a round rewrites the row
    }
  }
}
