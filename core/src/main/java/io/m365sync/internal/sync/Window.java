package io.m365sync.internal.sync;

import java.time.Instant;

/** A calendar view window [start, end). */
record Window(Instant start, Instant end) {
  String encode() {
    return start.toEpochMilli() + "/" + end.toEpochMilli();
  }

  static Window decode(String s) {
    int slash = s.indexOf('/');
    return new Window(Instant.ofEpochMilli(Long.parseLong(s.substring(0, slash))),
        Instant.ofEpochMilli(Long.parseLong(s.substring(slash + 1))));
  }
}
