package io.m365sync.model;

import java.time.Instant;
import java.util.Map;

/** A Microsoft To Do task. */
public record TodoTask(String title, String body, Status status, Instant due, String importance,
                       Instant completedAt, Map<String, String> extensions) implements SyncItem {

  /** Graph's {@code taskStatus}. */
  public enum Status { NOT_STARTED, IN_PROGRESS, COMPLETED, WAITING_ON_OTHERS, DEFERRED }

  public TodoTask {
    title = title == null ? "" : title;
    status = status == null ? Status.NOT_STARTED : status;
    importance = importance == null ? "normal" : importance;
    extensions = Items.map(extensions);
  }

  public static TodoTask of(String title, Instant due) {
    return new TodoTask(title, null, Status.NOT_STARTED, due, "normal", null, Map.of());
  }

  @Override
  public TodoTask withExtensions(Map<String, String> newExtensions) {
    return new TodoTask(title, body, status, due, importance, completedAt, newExtensions);
  }

  @Override
  public String matchKey() {
    return "task:" + title + "@" + due;
  }
}
