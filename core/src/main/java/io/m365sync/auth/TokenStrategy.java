package io.m365sync.auth;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.SyncListener;
import java.util.Collection;

/**
 * Acquires Graph tokens in one {@link AuthMode}. Implementations: delegated (the user's persisted
 * token cache, rotated refresh token saved on every use) and application (client credentials, one
 * cached token per tenant). Both live in the graph-adapter module; the testkit has fakes.
 *
 * <p>Thread-safe; may be called concurrently for different mailboxes.
 */
public interface TokenStrategy {

  /** The mode every token from this strategy has. */
  AuthMode mode();

  /**
   * A token for {@code mailbox}, from cache when still valid.
   *
   * @throws ReauthenticationRequiredException the user must sign in again (delegated)
   * @throws ConsentRequiredException permissions lack consent
   * @throws CredentialsInvalidException the app's credentials were refused (tenant-wide)
   * @throws TransientAuthFailureException try again later
   */
  AccessToken acquire(Mailbox mailbox, Purpose purpose);

  /** Drops whatever this strategy holds for the mailbox (unenrolment). Default: nothing held. */
  default void forget(MailboxId mailbox) {}

  /**
   * Graph refused a token this strategy handed out for {@code mailbox} (401): drop it from any cache
   * so the next {@link #acquire} fetches a fresh one. Default: nothing cached.
   */
  default void invalidate(Mailbox mailbox) {}

  /**
   * Keeps the long-lived grants of {@code mailboxes} alive: a delegated strategy redeems refresh
   * tokens left idle long enough to be near Entra's 90-day inactivity limit (storing the rotated
   * ones) and warns {@code listener} of known sign-in deadlines. The engine's scheduler calls it at
   * the engine's keep-alive interval, only for enrolled mailboxes that do not need a sign-in, each
   * under its mailbox's lock. Never throws for one mailbox's failure. Default: nothing to keep alive.
   *
   * @param listener hears {@link SyncListener#tokenExpiringSoon}; may be null
   */
  default KeepAliveReport keepAlive(Collection<Mailbox> mailboxes, SyncListener listener) {
    return KeepAliveReport.empty();
  }
}
