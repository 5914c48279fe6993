package io.m365sync.testkit.emulator;

/** A Graph error raised by the emulator itself (routing, parsing, validation), answered in Graph's shape. */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;

  HttpError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }
}
