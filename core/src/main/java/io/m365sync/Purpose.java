package io.m365sync;

/** Why a token is wanted; decides which auth modes are allowed. */
public enum Purpose {
  /** The scheduled sync: may use application permissions when the tenant enabled them. */
  BACKGROUND_SYNC,
  /** A request on behalf of the user in the Outlook add-in: always delegated. */
  ADD_IN
}
