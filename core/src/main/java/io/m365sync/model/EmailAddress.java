package io.m365sync.model;

import io.m365sync.Checks;

/** An e-mail address with an optional display name. */
public record EmailAddress(String address, String name) {
  public EmailAddress {
    Checks.requireText(address, "address");
  }

  public static EmailAddress of(String address) {
    return new EmailAddress(address, null);
  }
}
