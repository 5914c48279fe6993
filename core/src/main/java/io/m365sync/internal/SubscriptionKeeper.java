package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.Subscription;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.state.FencedOutException;
import io.m365sync.sync.ResourceSyncer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a mailbox-resource's Graph subscriptions in line with what its round reads: one live
 * subscription per container, made with the token the round used (so the same gate, policy and
 * token choice hold as for reads), renewed within the margin or when Graph asked, recreated when
 * lost or when the round's token mode changed, and deleted for containers, resources and mailboxes
 * no longer synced. Runs inside a round, under the mailbox's lock, or in {@code unenroll}.
 */
final class SubscriptionKeeper {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionKeeper.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** 32 random bytes: 43 base64url characters, well inside Graph's 128. */
  private static final int CLIENT_STATE_BYTES = 32;

  private final EngineContext ctx;
  private final ChangeNotifications config;

  SubscriptionKeeper(EngineContext ctx) {
    this.ctx = ctx;
    this.config = ctx.notifications();
  }

  /**
   * After the resource was read with {@code session}'s token: makes its subscriptions match the
   * syncer's containers. A policy's 403 propagates, to be handled as for reads; any other failure is
   * reported and leaves the container polled.
   *
   * @return whether every container of the resource now has a live subscription (push-fed)
   */
  boolean keep(MailboxGateway gateway, MailboxSession session, ResourceSyncer<?> syncer, boolean renewRequested) {
    Mailbox mailbox = session.mailbox();
    Resource resource = syncer.type().resource();
    List<String> containers = syncer.containers();
    List<Subscription> stored = ctx.store().subscriptions(mailbox.id()).stream()
        .filter(s -> s.resource() == resource).toList();
    for (Subscription old : stored) {
      if (!containers.contains(old.container())) {
        delete(gateway, session, old); // a container no longer synced
      }
    }
    boolean allLive = true;
    for (String container : containers) {
      Subscription sub = stored.stream().filter(s -> s.container().equals(container)).findFirst().orElse(null);
      try {
        allLive &= keepOne(gateway, session, syncer, container, sub, renewRequested);
      } catch (AccessDeniedByPolicyException | FencedOutException e) {
        throw e;
      } catch (RuntimeException e) {
        allLive = false;
        log.warn("Subscription to {} '{}' of mailbox {} failed; the resource stays polled: {}", resource, container,
            mailbox.id(), e.getMessage());
        ctx.listener().subscriptionFailed(mailbox, resource, container, e.getMessage());
      }
    }
    return allLive;
  }

  private boolean keepOne(MailboxGateway gateway, MailboxSession session, ResourceSyncer<?> syncer, String container,
                          Subscription sub, boolean renewRequested) {
    Instant now = ctx.clock().instant();
    if (sub != null && sub.expiredAt(now)) {
      lost(sub);
      sub = null;
    }
    if (sub != null && sub.mode() != session.mode()) {
      delete(gateway, session, sub); // made with the other token: Graph would keep posting for the wrong mode
      sub = null;
    }
    if (sub != null && (renewRequested || sub.expiresAt().isBefore(now.plus(config.renewalMargin())))) {
      try {
        RemoteSubscription renewed = gateway.renewSubscription(session, sub.id(), expiryToAsk(sub.resource(), now));
        Subscription next = sub.renewedUntil(renewed.expiresAt());
        ctx.store().putSubscription(next);
        ctx.listener().subscriptionChanged(next, SubscriptionEvent.RENEWED);
        return true;
      } catch (ItemNotFoundException gone) {
        lost(sub);
        sub = null;
      }
    }
    if (sub != null) {
      return true;
    }
    String clientState = newClientState();
    Resource resource = syncer.type().resource();
    RemoteSubscription created = gateway.createSubscription(session, syncer.type(), container,
        config.notificationUrl(), config.notificationUrl(), clientState, expiryToAsk(resource, now));
    Subscription made = new Subscription(created.id(), session.mailbox().id(), resource, container,
        Subscription.hashClientState(clientState), created.expiresAt(), session.mode());
    ctx.store().putSubscription(made);
    ctx.listener().subscriptionChanged(made, SubscriptionEvent.CREATED);
    return true;
  }

  /**
   * Deletes the mailbox's subscriptions that {@code which} selects, each with the token
   * {@code tokens} gives for it, of its mode (null: none may be used, so it is only forgotten here
   * and Graph lets it expire; its notifications then name an unknown subscription and are ignored).
   * After a policy's 403 no further app-only delete is sent.
   */
  void deleteAll(MailboxGateway gateway, MailboxId mailbox, Predicate<Subscription> which,
                 Function<Subscription, MailboxSession> tokens, Consumer<AccessDeniedByPolicyException> onDenied) {
    boolean denied = false;
    for (Subscription sub : ctx.store().subscriptions(mailbox)) {
      if (!which.test(sub)) {
        continue;
      }
      boolean appOnly = sub.mode() == AuthMode.APPLICATION;
      MailboxSession session = sub.expiredAt(ctx.clock().instant()) || (appOnly && denied) ? null : tokens.apply(sub);
      try {
        delete(gateway, session, sub);
      } catch (AccessDeniedByPolicyException e) {
        // the policy now denies the mailbox: no more app-only requests for it here, as after a read's 403
        denied |= appOnly;
        onDenied.accept(e);
        forget(sub);
      }
    }
  }

  /** Deletes at Graph when a session is at hand (best effort: it expires anyway), then forgets it. */
  private void delete(MailboxGateway gateway, MailboxSession session, Subscription sub) {
    if (session != null) {
      try {
        gateway.deleteSubscription(session, sub.id());
      } catch (ItemNotFoundException gone) {
        // already gone at Graph: nothing left to delete
      } catch (FencedOutException e) {
        throw e;
      } catch (AccessDeniedByPolicyException e) {
        if (session.mode() == AuthMode.APPLICATION) {
          throw e; // a policy's deny of app-only access: the caller stops using it, as after a read's 403
        }
        log.info("Could not delete subscription {} of mailbox {} ({}); Graph drops it at {}", sub.id(), sub.mailbox(),
            e.getMessage(), sub.expiresAt());
      } catch (RuntimeException e) {
        log.info("Could not delete subscription {} of mailbox {} ({}); Graph drops it at {}", sub.id(), sub.mailbox(),
            e.getMessage(), sub.expiresAt());
      }
    }
    forget(sub);
  }

  private void forget(Subscription sub) {
    ctx.store().removeSubscription(sub.id());
    ctx.listener().subscriptionChanged(sub, SubscriptionEvent.DELETED);
  }

  private void lost(Subscription sub) {
    ctx.store().removeSubscription(sub.id());
    ctx.listener().subscriptionChanged(sub, SubscriptionEvent.LOST);
  }

  private Instant expiryToAsk(Resource resource, Instant now) {
    return now.plus(config.lifetimeToAsk(resource, RANDOM.nextDouble()));
  }

  private static String newClientState() {
    byte[] bytes = new byte[CLIENT_STATE_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
