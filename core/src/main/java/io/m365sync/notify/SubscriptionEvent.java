package io.m365sync.notify;

/** What happened to a change-notification subscription the engine keeps. */
public enum SubscriptionEvent {
  /** Created at Graph (the resource is push-fed from now on). */
  CREATED,
  /** Extended (and reauthorized) before it expired. */
  RENEWED,
  /** Deleted at Graph by the engine: unenroll, a disabled resource or container, or a change of token mode. */
  DELETED,
  /** Gone without the engine deleting it: Graph removed it, let it expire, or no longer knows it. */
  LOST
}
