package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every request the model answered, in order, failed ones included: each Graph request and each token
 * request, whether it came over HTTP (the emulator) or from the in-memory fakes, and whatever its
 * outcome: granted, refused client authentication (a wrong or expired secret, a bad assertion, an
 * unknown app), a dead refresh token or code, a tenant the cloud does not know, a malformed request.
 * {@link #tokens()} counts token requests per tenant, user, client, grant type and outcome.
 *
 * <p>Thread-safe: appends are O(1) under a lock (a copy-on-write list made long benchmarks
 * quadratic); readers work on a snapshot.
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

  /** Token requests, failed ones included; narrow by tenant, user, grant type, outcome. */
  public TokenRequestQuery tokens() {
    return new TokenRequestQuery(this::all);
  }

  /** Token requests of one grant type ({@code client_credentials}, {@code refresh_token}, …), in every tenant. */
  public long tokenRequests(String grantType) {
    return tokens().grantType(grantType).count();
  }

  /** Token requests of one grant type to one tenant, failed ones included. */
  public long tokenRequests(String tenantId, String grantType) {
    return tokens().tenant(tenantId).grantType(grantType).count();
  }

  /** Refresh-token requests for one user, failed ones included. */
  public long refreshRequests(String userId) {
    return tokens().grantType("refresh_token").user(userId).count();
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
