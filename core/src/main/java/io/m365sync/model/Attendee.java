package io.m365sync.model;

import io.m365sync.Checks;

/**
 * An event attendee.
 *
 * @param email who
 * @param type {@code required}, {@code optional} or {@code resource}
 * @param response {@code none}, {@code accepted}, {@code declined}, {@code tentativelyAccepted}, …
 */
public record Attendee(EmailAddress email, String type, String response) {
  public Attendee {
    Checks.requireNonNull(email, "email");
    type = type == null ? "required" : type;
    response = response == null ? "none" : response;
  }
}
