package io.m365sync.policy;

/** Where a mailbox's app-only access decision stands. */
public enum AccessState {
  /** The declared policy is in effect and nothing observed contradicts it. */
  IN_EFFECT,
  /**
   * A declared change would flip this mailbox's decision but is still inside the propagation window;
   * the previously effective decision is kept until it passes.
   */
  PENDING,
  /** Graph's observed answer disagrees with the declared policy in effect; the mailbox is held denied. */
  DRIFT,
  /** The declared policy cannot be evaluated (unknown group, invalid scope group …); denied until fixed. */
  CONFIG_ERROR
}
