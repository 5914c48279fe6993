package io.m365sync;

/** How a Graph request is authorised. */
public enum AuthMode {
  /** As the signed-in user, with the user's refresh token (dies after 90 days without use). */
  DELEGATED,
  /** As the application, with client credentials and admin-consented application permissions. */
  APPLICATION
}
