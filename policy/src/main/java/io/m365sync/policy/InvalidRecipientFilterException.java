package io.m365sync.policy;

/** A management scope recipient filter this model cannot parse or that uses an unsupported attribute. */
public final class InvalidRecipientFilterException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String filter;
  private final int position;

  public InvalidRecipientFilterException(String filter, int position, String problem) {
    super("Invalid recipient filter at position " + position + ": " + problem + " in \"" + filter + "\"", null);
    this.filter = filter;
    this.position = position;
  }

  public String filter() {
    return filter;
  }

  public int position() {
    return position;
  }
}
