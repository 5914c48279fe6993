package io.m365sync.testkit.model;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The token requests of a {@link RequestLog}, failed ones included, narrowed step by step:
 *
 * <pre>{@code
 * long dead = cloud.log().tokens().tenant(tenantId).user(aliceId).grantType("refresh_token").failed().count();
 * long expired = cloud.log().tokens().tenant(tenantId).error("AADSTS7000222").count();
 * }</pre>
 *
 * Immutable; each call returns a narrower query. {@link #count()} and {@link #list()} read the log
 * when called, so one query can be counted before and after a step.
 */
public final class TokenRequestQuery {
  private final Supplier<List<RecordedRequest>> source;
  private final Predicate<RecordedRequest> filter;

  TokenRequestQuery(Supplier<List<RecordedRequest>> source) {
    this(source, RecordedRequest::isToken);
  }

  private TokenRequestQuery(Supplier<List<RecordedRequest>> source, Predicate<RecordedRequest> filter) {
    this.source = source;
    this.filter = filter;
  }

  /** Requests to this tenant (its id, or the name given for a tenant the cloud does not know). */
  public TokenRequestQuery tenant(String tenantId) {
    return and(r -> Objects.equals(tenantId, r.tenantId()));
  }

  /** Requests whose refresh token or authorization code belongs to this user (object id). */
  public TokenRequestQuery user(String userId) {
    return and(r -> Objects.equals(userId, r.targetUserId()));
  }

  public TokenRequestQuery client(String clientId) {
    return and(r -> Objects.equals(clientId, r.clientId()));
  }

  /** {@code client_credentials}, {@code refresh_token}, {@code authorization_code}, … */
  public TokenRequestQuery grantType(String grantType) {
    return and(r -> Objects.equals(grantType, r.operation()));
  }

  public TokenRequestQuery succeeded() {
    return and(RecordedRequest::succeeded);
  }

  public TokenRequestQuery failed() {
    return and(r -> !r.succeeded());
  }

  /** Requests Entra refused with this error, e.g. {@code AADSTS7000222} (or just {@code 7000222}). */
  public TokenRequestQuery error(String aadsts) {
    String code = aadsts.startsWith("AADSTS") ? aadsts : "AADSTS" + aadsts;
    return and(r -> code.equals(r.errorCode()));
  }

  /** Any further condition. */
  public TokenRequestQuery and(Predicate<RecordedRequest> condition) {
    return new TokenRequestQuery(source, filter.and(condition));
  }

  public long count() {
    return source.get().stream().filter(filter).count();
  }

  /** The matching requests, oldest first. */
  public List<RecordedRequest> list() {
    return source.get().stream().filter(filter).toList();
  }
}
