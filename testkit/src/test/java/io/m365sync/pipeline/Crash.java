package io.m365sync.pipeline;

/**
 * A process crash armed to fire at the k-th call into the CRM, the gateway or the state store:
 * before the call takes effect, or after it took effect but before the caller saw the answer.
 */
final class Crash {
  /** Thrown where the process "dies". */
  static final class CrashException extends RuntimeException {
    CrashException(String where) {
      super("simulated crash " + where, null, false, false);
    }
  }

  private int countdown;
  private boolean after;

  void arm(int k, boolean afterEffect) {
    countdown = k;
    after = afterEffect;
  }

  void disarm() {
    countdown = 0;
  }

  boolean armed() {
    return countdown > 0;
  }

  /** Runs {@code call}, crashing around it when the countdown reaches zero. */
  <R> R around(String what, java.util.function.Supplier<R> call) {
    boolean fire = countdown > 0 && --countdown == 0;
    if (fire && !after) {
      throw new CrashException("before " + what);
    }
    R r = call.get();
    if (fire) {
      throw new CrashException("after " + what);
    }
    return r;
  }

  void around(String what, Runnable call) {
    around(what, () -> {
      call.run();
      return null;
    });
  }
}
