package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every request the model answered, in order. Thread-safe: appends are O(1) under a lock (a
 * copy-on-write list made long benchmarks quadratic); readers work on a snapshot.
 */
public final class RequestLog {
  private final List<RecordedRequest> requests = new ArrayList<>();

  void add(RecordedRequest request) {
    synchronized (requests) {
      requests.add(request);
    }
  }

  public List<RecordedRequest> all() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public long count(Predicate<RecordedRequest> filter) {
    return all().stream().filter(filter).count();
  }

  /** Graph requests about one user's mailbox. */
  public long graphRequests(String userId) {
    return count(r -> r.isGraph() && userId.equals(r.targetUserId()));
  }

  /** Graph requests about one user's mailbox in one mode. */
  public long graphRequests(String userId, AuthMode mode) {
    return count(r -> r.isGraph() && userId.equals(r.targetUserId()) && r.mode() == mode);
  }

  /** Token requests of one grant type ({@code client_credentials}, {@code refresh_token}, …). */
  public long tokenRequests(String grantType) {
    return count(r -> r.isToken() && grantType.equals(r.operation()));
  }

  /** Refresh-token requests for one user. */
  public long refreshRequests(String userId) {
    return count(r -> r.isToken() && "refresh_token".equals(r.operation()) && userId.equals(r.targetUserId()));
  }

  /** Any request (token or Graph) about one user. */
  public long requestsAbout(String userId) {
    return count(r -> userId.equals(r.targetUserId()));
  }

  public void clear() {
    synchronized (requests) {
      requests.clear();
    }
  }
}
