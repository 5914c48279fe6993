package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import io.m365sync.Resource;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A tenant's Graph subscriptions (change notifications) and what they emit. Rules as in Graph: the
 * expiry is capped at the resource's maximum (Outlook events, contacts, messages 10,080 minutes; To
 * Do tasks 4,230) and raised to at least 45 minutes; {@code clientState} holds at most 128
 * characters; a mailbox holds at most 1,000 active subscriptions; past its expiry (by the cloud's
 * clock) a subscription emits nothing and is gone. Each change in the tenant's mailboxes emits one
 * notification per matching subscription to the cloud's notification sinks (the HTTP emulator posts them), after the
 * seeded drops and duplicates of {@link #delivery()}. Thread-safe; sinks are called on the thread
 * that made the change, so they must only enqueue.
 */
public final class SubscriptionModel {
  public static final int MAX_PER_MAILBOX = 1000;
  public static final int MAX_CLIENT_STATE = 128;
  static final Duration MIN_LIFETIME = Duration.ofMinutes(45);
  private static final int KEPT = 10_000;

  private final TenantModel tenant;
  private final Map<String, ModelSubscription> byId = new LinkedHashMap<>();
  private final Deque<ModelNotification> emitted = new ArrayDeque<>();
  private DeliverySettings delivery = DeliverySettings.PROMPT;
  private Random random = new Random(0);

  SubscriptionModel(TenantModel tenant) {
    this.tenant = tenant;
  }

  /** The longest lifetime Graph grants a subscription to {@code resource}. */
  public static Duration maxLifetime(Resource resource) {
    return switch (resource) {
      case TASKS -> Duration.ofMinutes(4230);
      case EVENTS, CONTACTS, MAIL -> Duration.ofMinutes(10_080);
      case MAILBOX_SETTINGS -> throw new GraphError(400, "InvalidRequest", "mailboxSettings has no subscriptions.");
    };
  }

  private Instant now() {
    return tenant.cloud().clock().instant();
  }

  // ---------------------------------------------------------------- settings and sinks

  public synchronized DeliverySettings delivery() {
    return delivery;
  }

  /** Sets how notifications go out; restarts the random sequence from the settings' seed. */
  public synchronized SubscriptionModel delivery(DeliverySettings settings) {
    this.delivery = settings;
    this.random = new Random(settings.seed());
    return this;
  }

  /** Shuffles {@code list} with the seeded random of {@link #delivery()}. */
  public synchronized <T> void shuffle(List<T> list) {
    Collections.shuffle(list, random);
  }

  /** The latest notifications emitted (up to 10,000), oldest first. */
  public synchronized List<ModelNotification> emitted() {
    return List.copyOf(emitted);
  }

  // ---------------------------------------------------------------- create, renew, delete

  /**
   * Creates a subscription after Graph's checks; {@code reachable} is the validation call to each
   * URL (the notification URL, then the lifecycle URL when given), run outside the model's lock.
   *
   * @param userId the mailbox owner's object id (the caller resolved {@code me} and UPNs)
   * @throws GraphError 400 for a bad request or a failed validation, 403 {@code ExtensionError} at
   *     the per-mailbox limit
   */
  public ModelSubscription create(String userId, String clientId, AuthMode mode, String resourcePath, String changeType,
                                  URI notificationUrl, URI lifecycleUrl, String clientState, Instant expiresAt,
                                  Predicate<URI> reachable) {
    SubscriptionTarget target = SubscriptionTarget.parse(resourcePath);
    Set<String> types = changeTypes(changeType);
    if (notificationUrl == null) {
      throw new GraphError(400, "InvalidRequest", "notificationUrl is required.");
    }
    if (clientState != null && clientState.length() > MAX_CLIENT_STATE) {
      throw new GraphError(400, "InvalidRequest", "clientState must be at most " + MAX_CLIENT_STATE + " characters.");
    }
    Instant at = lifetime(target.resource(), expiresAt);
    requireRoom(userId);
    if (!reachable.test(notificationUrl) || (lifecycleUrl != null && !reachable.test(lifecycleUrl))) {
      throw new GraphError(400, "ValidationError",
          "Subscription validation request failed. Response must exactly match validationToken query parameter.");
    }
    ModelSubscription s = new ModelSubscription(UUID.randomUUID().toString(), tenant.tenantId(), userId, clientId, mode,
        resourcePath, target, types, notificationUrl, lifecycleUrl, clientState, at);
    synchronized (this) {
      requireRoom(userId);
      byId.put(s.id(), s);
    }
    return s;
  }

  private static Set<String> changeTypes(String changeType) {
    if (changeType == null || changeType.isBlank()) {
      throw new GraphError(400, "InvalidRequest", "changeType is required.");
    }
    Set<String> out = new java.util.TreeSet<>();
    for (String t : changeType.split(",")) {
      String v = t.trim().toLowerCase(Locale.ROOT);
      if (!Set.of("created", "updated", "deleted").contains(v)) {
        throw new GraphError(400, "InvalidRequest", "changeType '" + t.trim() + "' is not supported.");
      }
      out.add(v);
    }
    return Set.copyOf(out);
  }

  private Instant lifetime(Resource resource, Instant requested) {
    Instant now = now();
    if (requested == null || !requested.isAfter(now)) {
      throw new GraphError(400, "InvalidRequest", "expirationDateTime must be in the future.");
    }
    Instant max = now.plus(maxLifetime(resource));
    Instant min = now.plus(MIN_LIFETIME);
    return requested.isAfter(max) ? max : requested.isBefore(min) ? min : requested;
  }

  private synchronized void requireRoom(String userId) {
    purgeExpired();
    long active = byId.values().stream().filter(s -> s.userId().equals(userId)).count();
    if (active >= MAX_PER_MAILBOX) {
      throw new GraphError(403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: "
          + "The mailbox has reached its limit of " + MAX_PER_MAILBOX + " subscriptions.]");
    }
  }

  /** An active subscription; an expired one is gone, as in Graph. */
  public synchronized Optional<ModelSubscription> find(String id) {
    purgeExpired();
    return Optional.ofNullable(byId.get(id));
  }

  /** Active subscriptions of a mailbox. */
  public synchronized List<ModelSubscription> ofUser(String userId) {
    purgeExpired();
    return byId.values().stream().filter(s -> s.userId().equals(userId)).toList();
  }

  /** {@code PATCH /subscriptions/{id}}: a new expiry, capped as on create. */
  public ModelSubscription renew(String id, Instant expiresAt) {
    ModelSubscription s = find(id).orElseThrow(SubscriptionModel::notFound);
    ModelSubscription renewed = s.withExpiry(lifetime(s.target().resource(), expiresAt));
    synchronized (this) {
      if (byId.replace(id, renewed) == null) {
        throw notFound();
      }
    }
    return renewed;
  }

  /** {@code DELETE /subscriptions/{id}}. */
  public synchronized void delete(String id) {
    purgeExpired();
    if (byId.remove(id) == null) {
      throw notFound();
    }
  }

  static GraphError notFound() {
    return new GraphError(404, "ResourceNotFound", "The object was not found.");
  }

  private void purgeExpired() {
    Instant now = now();
    byId.values().removeIf(s -> !s.expiresAt().isAfter(now));
  }

  // ---------------------------------------------------------------- notifications

  /**
   * Sends a lifecycle event for subscription {@code id} to its lifecycle URL (nothing without one);
   * {@code subscriptionRemoved} also removes the subscription, as Graph does.
   */
  public void trigger(String id, String lifecycleEvent) {
    if (!Set.of("subscriptionRemoved", "reauthorizationRequired", "missed").contains(lifecycleEvent)) {
      throw new IllegalArgumentException("unknown lifecycle event '" + lifecycleEvent + "'");
    }
    ModelSubscription s = find(id).orElseThrow(() -> new IllegalArgumentException("no active subscription '" + id + "'"));
    if (lifecycleEvent.equals("subscriptionRemoved")) {
      synchronized (this) {
        byId.remove(id);
      }
    }
    if (s.lifecycleUrl() != null) {
      emit(new ModelNotification(s.lifecycleUrl(), s.tenantId(), s.id(), s.expiresAt(), s.clientState(), null,
          lifecycleEvent, null, null, null));
    }
  }

  /** A change in a mailbox collection: one notification per matching active subscription. */
  void changed(String userId, Resource resource, String container, String itemId, String changeType) {
    List<ModelNotification> out = new ArrayList<>();
    synchronized (this) {
      if (byId.isEmpty()) {
        return;
      }
      purgeExpired();
      for (ModelSubscription s : byId.values()) {
        if (s.userId().equals(userId) && s.changeTypes().contains(changeType) && s.target().covers(resource, container)) {
          String path = "Users/" + userId + "/" + itemSegment(resource, container) + "/" + itemId;
          ModelNotification n = new ModelNotification(s.notificationUrl(), s.tenantId(), s.id(), s.expiresAt(),
              s.clientState(), changeType, null, path, odataType(resource), itemId);
          if (random.nextDouble() < delivery.dropRate()) {
            continue;
          }
          out.add(n);
          if (random.nextDouble() < delivery.duplicateRate()) {
            out.add(n);
          }
        }
      }
    }
    out.forEach(this::emit);
  }

  private static String itemSegment(Resource resource, String container) {
    return switch (resource) {
      case EVENTS -> "Events";
      case CONTACTS -> "Contacts";
      case MAIL -> "Messages";
      case TASKS -> "todo/lists/" + container + "/tasks";
      case MAILBOX_SETTINGS -> "mailboxSettings";
    };
  }

  private static String odataType(Resource resource) {
    return switch (resource) {
      case EVENTS -> "#Microsoft.Graph.Event";
      case CONTACTS -> "#Microsoft.Graph.Contact";
      case MAIL -> "#Microsoft.Graph.Message";
      case TASKS -> "#microsoft.graph.todoTask";
      case MAILBOX_SETTINGS -> "#microsoft.graph.mailboxSettings";
    };
  }

  private void emit(ModelNotification n) {
    synchronized (this) {
      emitted.addLast(n);
      while (emitted.size() > KEPT) {
        emitted.pollFirst();
      }
    }
    tenant.cloud().deliver(n);
  }
}
