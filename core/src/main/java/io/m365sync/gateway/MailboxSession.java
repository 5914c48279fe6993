package io.m365sync.gateway;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.auth.AccessToken;

/** A mailbox and the token the engine chose for it in this round. */
public record MailboxSession(Mailbox mailbox, AccessToken token) {
  public MailboxSession {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(token, "token");
  }

  public AuthMode mode() {
    return token.mode();
  }
}
