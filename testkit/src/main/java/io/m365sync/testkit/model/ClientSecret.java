package io.m365sync.testkit.model;

import java.time.Instant;

/** A client secret of an app registration. {@link #toString()} hides the value. */
public record ClientSecret(String keyId, String value, Instant endDateTime, String displayName) {
  @Override
  public String toString() {
    return "ClientSecret[keyId=" + keyId + ", endDateTime=" + endDateTime + ", value=<redacted>]";
  }
}
