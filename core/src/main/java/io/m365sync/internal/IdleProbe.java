package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.SelectionContext;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.auth.TokenException;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.GatewayException;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.internal.sync.SyncPipeline;
import io.m365sync.model.ResourceType;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a cycle's rounds, reads the stored delta links of its due mailboxes' polled resources in
 * batches ({@link io.m365sync.gateway.MailboxGateway#deltaBatch}, Graph's {@code $batch}), so that an
 * idle mailbox-resource costs a share of a batch instead of a request of its own. A probe is
 * read-only: a resource whose every link read an empty page is left out of this cycle's round (its
 * link stays valid; nothing is written), and a mailbox left with nothing to read runs no round (as an
 * idle push-fed one: no fence, no status write). A resource whose page has changes is read by the
 * round, which takes the probe's page as its own first read of that request (not sent again); so does
 * an events window due to slide, whose probe is the first request of the new window's full read (see
 * {@link SyncPipeline#idleProbe}). A failed probe, or a resource no probe can stand for, is read by
 * the round as without probes.
 *
 * <p>Only mailboxes that are {@code ACTIVE}, due, and probed in the mode they last synced in are
 * probed: any other status (a sign-in, a failure, a deny, a quarantine) or a change of mode is for a
 * round to settle and record. A probe's failure is handed to the round as its own first read of the
 * resource (a 429's {@code Retry-After} is honoured, a 401's token dropped, without a second request),
 * except an expired link (the round reads in full) and a policy's 403 to app-only, which is observed
 * as the round would observe it (the round then falls back to delegated).
 *
 * <p>The round's promises hold for probes: each mailbox is probed under its lock, taken if free and
 * held until its probes are answered, with its enrollment read under it and nothing sent once an
 * unenroll waits (stop flag). The locks of up to {@link #GROUP} mailboxes are taken before their
 * enrollments, states and cursors are read, one store call each for the group (a durable store's
 * round trip per group instead of three per mailbox). Tokens are chosen as the round chooses them:
 * the selector's answer, app-only only where the tenant's gate is open, the access decision allows and
 * an access policy can scope the resource (To Do is probed only when the selector picks delegated, else
 * left to its round), delegated only while the user's token lives. App-only probes go into the access audit; a
 * policy's 403 is observed as the round would (the round then falls back to delegated). Probes share
 * a batch where they share a token: application mode, one per tenant, fills batches across
 * mailboxes; a delegated mailbox's probes go in a batch of their own.
 *
 * <p>With change notifications on there is nothing to probe: a push-fed resource costs nothing until
 * a notification or its safety-net read (which must run, to be noted), and one that is not push-fed
 * is read by its round, which (re)subscribes it.
 *
 * <p>Runs on the cycle's thread, which takes and lets go of every lock; batches go out on the
 * engine's executor, at most {@code maxConcurrentMailboxes} at once. A failure of the probe as a
 * whole leaves every mailbox to its round.
 */
final class IdleProbe {
  private static final Logger log = LoggerFactory.getLogger(IdleProbe.class);
  /** Steps per batch (Graph's {@code $batch} limit): a token's probes are sent 20 at a time. */
  static final int BATCH = 20;
  /**
   * Mailboxes whose enrollments, states and cursors are read in one store call each (a durable store's
   * round trip per group, not three per mailbox), their locks held from the read to their answers.
   */
  static final int GROUP = 100;

  private final EngineContext ctx;
  private final ApplicationModeGate appGate;
  private final AccessDecisionCache decisions;
  private final MailboxLocks locks;
  private final AuditTrail audit;

  IdleProbe(EngineContext ctx, ApplicationModeGate appGate, AccessDecisionCache decisions, MailboxLocks locks,
            AuditTrail audit) {
    this.ctx = ctx;
    this.appGate = appGate;
    this.decisions = decisions;
    this.locks = locks;
    this.audit = audit;
  }

  /**
   * What the probes found for one mailbox, for its round in the same cycle, which uses it only while
   * the mailbox's state is still the one the probe saw (a sign-in or another round in between voids it).
   *
   * @param seen the mailbox's state when it was probed
   * @param quiet the resources whose links read nothing new: left out of the round
   * @param failures the resources whose probe failed, each failure taken by the round as its own first
   *     read (an expired link and a policy's 403 to app-only are not: the round reads again in full, or
   *     falls back to delegated)
   * @param delegatedToken the delegated token the probe got, the round's too (asked for once per cycle); may be null
   * @param delegatedFailure the probe's failed delegated token request, handed to the round as its own
   *     attempt (one attempt per cycle, not two); null if none failed
   * @param pages the pages the probes read of the resources the round reads, each the round's own first
   *     read of its request (not sent again); the round takes them out, so they leave the heap with it
   * @param nothingToRead every resource of the mailbox read nothing new: its round would read nothing
   */
  record Found(MailboxState seen, Set<Resource> quiet, Map<Resource, Failure> failures, AccessToken delegatedToken,
               TokenException delegatedFailure, Map<Resource, List<Page>> pages, boolean nothingToRead) {
    Found {
      quiet = Set.copyOf(quiet);
      failures = Map.copyOf(failures);
      pages = new ConcurrentHashMap<>(pages);
    }

    /** Takes the probe's pages of {@code resource} out, for the round to use each once. */
    List<Page> takePages(Resource resource) {
      List<Page> taken = pages.remove(resource);
      return taken == null ? List.of() : taken;
    }

    boolean validFor(MailboxState before) {
      return seen.equals(before);
    }

    /** The probe's failed read of {@code resource} in {@code mode}: the round's first read of it, not sent again. */
    GatewayException failure(Resource resource, AuthMode mode) {
      Failure f = failures.get(resource);
      return f != null && f.mode() == mode ? f.error() : null;
    }
  }

  /** A probe's failure that its round takes as its own (a 429 or a 401 is not asked twice in one cycle). */
  record Failure(AuthMode mode, GatewayException error) {}

  /** A page a probe read, which its round takes as its own read of {@code request} in {@code mode}. */
  record Page(AuthMode mode, DeltaRequest request, DeltaPage<?> page) {}

  /** Probes the due ones among {@code mailboxes}; never throws. */
  Map<MailboxId, Found> run(List<Mailbox> mailboxes) {
    if (ctx.notifications() != null) {
      return Map.of();
    }
    Run run = new Run();
    try {
      Instant now = ctx.clock().instant();
      for (Mailbox m : mailboxes) {
        run.add(m, now);
      }
      run.flushAll(now);
    } catch (RuntimeException e) {
      log.warn("m365sync idle probe failed; this cycle's rounds read every resource: {}", e.toString(), e);
      run.found.clear();
    } finally {
      run.releaseAll();
    }
    return run.found;
  }

  /** One cycle's probing: mailboxes held, steps waiting for a batch, batches in flight. */
  private final class Run {
    final Map<MailboxId, Found> found = new HashMap<>();
    final List<Probing> held = new ArrayList<>();
    /** App-only steps by token value, waiting until a batch is full. */
    final Map<String, List<Step>> waiting = new LinkedHashMap<>();
    final Deque<Sent> inFlight = new ArrayDeque<>();
    /** Mailboxes held whose state is not read yet: read a group at a time. */
    final List<Probing> preparing = new ArrayList<>();
    /**
     * Items of the pages held for rounds, at most as many as the cycle's rounds hold in flight (a day's
     * window slides probe every calendar at once): a page beyond it is left for its round to read again.
     */
    long heldItems;

    boolean hold(DeltaPage<?> page) {
      long items = page.changes().size() + page.skipped().size();
      long budget = (long) ctx.options().maxConcurrentMailboxes() * ctx.options().maxRequestsPerMailbox()
          * ctx.options().pageSize();
      if (heldItems + items > budget) {
        return false;
      }
      heldItems += items;
      return true;
    }

    void add(Mailbox listed, Instant now) {
      MailboxLocks.Held lock = locks.tryHold(listed.id());
      if (lock == null) {
        return; // a round or host call has it: this cycle's round of it does not run either
      }
      Probing p = new Probing(listed.id(), lock);
      held.add(p);
      preparing.add(p);
      if (preparing.size() >= GROUP) {
        prepareGroup(now);
      }
    }

    /**
     * Under the locks of the mailboxes held since the last group: their enrollments, states and
     * cursors in one store call each, then what to probe of each and with which token, and their steps
     * into batches.
     */
    void prepareGroup(Instant now) {
      List<Probing> group = List.copyOf(preparing);
      preparing.clear();
      if (group.isEmpty()) {
        return;
      }
      try {
        Stored stored = read(group, now);
        for (Probing p : group) {
          try {
            prepare(p, stored, now);
          } catch (RuntimeException e) {
            fail(p, e);
          }
        }
      } catch (RuntimeException e) {
        group.forEach(p -> fail(p, e));
      }
      for (Probing p : group) {
        enqueue(p);
      }
      finish(group);
    }

    /** An unreadable row, a store or directory outage: the round meets it and reports it. */
    private void fail(Probing p, RuntimeException e) {
      log.debug("m365sync could not probe mailbox {}: {}", p.id, e.toString());
      p.steps.clear();
      p.outstanding = 0;
      p.failed = true;
    }

    /** The group's enrollments and states, and the cursors the probes of the enrolled, due, active ones read. */
    private Stored read(List<Probing> group, Instant now) {
      List<MailboxId> ids = group.stream().filter(p -> !p.lock.slot().stopped()).map(p -> p.id).toList();
      // a row that cannot be read is left out: the mailbox is not probed, and its round reports the row
      Map<MailboxId, Mailbox> enrolled = ctx.store().enrollments(ids, row -> {});
      Map<MailboxId, MailboxState> states = ctx.store().statuses(enrolled.keySet(), row -> {});
      List<CursorKey> keys = new ArrayList<>();
      for (MailboxId id : ids) {
        MailboxState state = states.get(id);
        if (enrolled.containsKey(id) && state != null && probed(state, now)) {
          pipelines(enrolled.get(id)).values().forEach(pipeline -> keys.addAll(pipeline.idleProbeReads(id)));
        }
      }
      return new Stored(enrolled, states, keys.isEmpty() ? Map.of() : ctx.store().cursors(keys));
    }

    /**
     * A mailbox's steps go in one batch per token (chained there, so a refusal is met once), batches
     * filled across mailboxes.
     */
    private void enqueue(Probing p) {
      List<Step> app = p.steps.stream().filter(s -> s.probe.session().mode() == AuthMode.APPLICATION).toList();
      List<Step> delegated = p.steps.stream().filter(s -> s.probe.session().mode() != AuthMode.APPLICATION).toList();
      if (!app.isEmpty()) {
        List<Step> queue = waiting.computeIfAbsent(app.get(0).probe.session().token().value(), k -> new ArrayList<>());
        if (queue.size() + app.size() > BATCH && !queue.isEmpty()) {
          send(new ArrayList<>(queue));
          queue.clear();
        }
        queue.addAll(app);
        if (queue.size() >= BATCH) {
          send(new ArrayList<>(queue));
          queue.clear();
        }
      }
      if (!delegated.isEmpty()) {
        send(delegated);
      }
    }

    /** Under the mailbox's lock: what to probe, with which token. */
    private void prepare(Probing p, Stored stored, Instant now) {
      if (p.lock.slot().stopped()) {
        return;
      }
      Mailbox mailbox = stored.enrolled().get(p.id);
      MailboxState before = stored.states().get(p.id);
      if (mailbox == null || before == null || !probed(before, now)) {
        // not enrolled, never synced (no links), not due, or a status only a round can settle (a sign-in,
        // a failure, a deny, a quarantine...): the round reads it
        return;
      }
      p.mailbox = mailbox;
      p.before = before;
      Map<Resource, List<DeltaRequest>> reads = new EnumMap<>(Resource.class);
      pipelines(mailbox).forEach((resource, pipeline) -> pipeline.idleProbe(stored.cursors(), p.id, now,
          ctx.options().pageSize(), ctx.options().eventWindowPast(), ctx.options().eventWindowFuture())
          .ifPresent(r -> reads.put(resource, r)));
      if (reads.isEmpty()) {
        return;
      }
      ApplicationModeGate.Availability app = appGate.check(mailbox);
      AccessDecision access = app.enabled() && app.healthy() ? decisions.decide(mailbox, before) : null;
      for (Map.Entry<Resource, List<DeltaRequest>> e : reads.entrySet()) {
        Resource resource = e.getKey();
        AccessToken token = token(p, app, access, resource);
        if (token != null) {
          MailboxSession session = new MailboxSession(mailbox, token);
          ResourceType<?> type = ctx.syncers().get(resource).type();
          for (DeltaRequest request : e.getValue()) {
            p.steps.add(new Step(p, resource, new DeltaProbe<>(session, type, request)));
          }
        }
      }
      p.outstanding = p.steps.size();
    }

    /** The mailbox's resources the engine syncs through a pipeline (those a probe can stand for). */
    private Map<Resource, SyncPipeline<?>> pipelines(Mailbox mailbox) {
      Map<Resource, SyncPipeline<?>> pipelines = new EnumMap<>(Resource.class);
      for (Resource resource : mailbox.resources()) {
        if (ctx.syncers().get(resource) instanceof SyncPipeline<?> pipeline) {
          pipelines.put(resource, pipeline);
        }
      }
      return pipelines;
    }

    /** The round's choice of token for the resource, or null where a probe must not go (the round decides). */
    private AccessToken token(Probing p, ApplicationModeGate.Availability app, AccessDecision access, Resource resource) {
      StrategyChoice choice = ctx.selector().choose(new SelectionContext(p.mailbox, resource, Purpose.BACKGROUND_SYNC,
          app.enabled(), app.healthy(), app.unhealthyReason(), app.permits(resource), access, p.before.delegatedAlive()));
      if (!choice.usable() || choice.mode() != p.before.mode()) {
        return null; // a round that changes the mailbox's mode updates its status: it must run
      }
      if (choice.mode() == AuthMode.APPLICATION) {
        // the round's guard rails, at their strictest: no scoped success vouches for To Do in a probe
        return app.token() != null && access instanceof AccessDecision.Allow && resource.coveredByAccessPolicies()
            ? app.token() : null;
      }
      if (!p.before.delegatedAlive() || ctx.delegated() == null || p.delegatedFailure != null) {
        return null;
      }
      if (p.delegatedToken == null) {
        try {
          p.delegatedToken = appGate.acquireDelegated(p.mailbox, () -> ctx.delegated().acquire(p.mailbox, Purpose.BACKGROUND_SYNC));
        } catch (TokenException e) {
          p.delegatedFailure = e; // the round's attempt: it handles it as if it had made it
        }
      }
      return p.delegatedToken;
    }

    /** Sends one batch's steps on the executor; the oldest batch is awaited while too many are out. */
    private void send(List<Step> steps) {
      List<Step> live = new ArrayList<>(steps.size());
      for (Step s : steps) {
        if (s.owner.lock.slot().stopped()) {
          s.owner.notSent(s); // an unenroll waits: nothing more leaves for the mailbox
        } else {
          live.add(s);
        }
      }
      if (live.isEmpty()) {
        finish(owners(steps));
        return;
      }
      while (inFlight.size() >= ctx.options().maxConcurrentMailboxes()) {
        complete(inFlight.poll());
      }
      List<DeltaProbe<?>> probes = live.stream().<DeltaProbe<?>>map(s -> s.probe).toList();
      Instant startedAt = ctx.clock().instant();
      CompletableFuture<List<BatchedDelta<?>>> answer;
      try {
        answer = CompletableFuture.supplyAsync(() -> ctx.gateway().deltaBatch(probes), ctx.executor());
      } catch (RuntimeException rejected) {
        answer = CompletableFuture.failedFuture(rejected);
      }
      inFlight.add(new Sent(steps, live, startedAt, answer));
    }

    private void complete(Sent sent) {
      List<BatchedDelta<?>> results;
      try {
        results = sent.answer.join();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        log.warn("m365sync idle probe batch failed; its mailboxes are read by their rounds: {}", e.getCause() != null
            ? e.getCause().toString() : e.toString());
        results = null;
      }
      Instant finishedAt = ctx.clock().instant();
      for (int i = 0; i < sent.live.size(); i++) {
        Step s = sent.live.get(i);
        s.owner.answered(s, results == null || results.size() <= i ? null : results.get(i), sent.startedAt, finishedAt);
      }
      finish(owners(sent.steps));
    }

    void flushAll(Instant now) {
      prepareGroup(now);
      for (List<Step> queue : waiting.values()) {
        if (!queue.isEmpty()) {
          send(new ArrayList<>(queue));
          queue.clear();
        }
      }
      while (!inFlight.isEmpty()) {
        complete(inFlight.poll());
      }
    }

    /**
     * The mailboxes among {@code probings} whose every step is answered: their audit in one write (a
     * batch's mailboxes, so one transaction per batch on a durable store, not one per mailbox-resource),
     * then, each mailbox at a time, what it found and its lock let go; the audit is written first, while
     * the locks are held, as a round writes it before it ends.
     */
    private void finish(List<Probing> probings) {
      List<Probing> done = probings.stream().filter(p -> p.outstanding == 0 && p.lock != null).toList();
      audit.record(done.stream().flatMap(Probing::accessRecords).toList());
      done.forEach(this::release);
    }

    private List<Probing> owners(List<Step> steps) {
      return steps.stream().map(Step::owner).distinct().toList();
    }

    private void release(Probing p) {
      if (p.before != null && !p.failed && (!p.steps.isEmpty() || p.delegatedFailure != null)) {
        Set<Resource> quiet = EnumSet.noneOf(Resource.class);
        p.steps.forEach(s -> quiet.add(s.resource));
        quiet.removeAll(p.changed);
        found.put(p.mailbox.id(), new Found(p.before, quiet, p.failures, p.delegatedToken, p.delegatedFailure, p.pages,
            quiet.containsAll(p.mailbox.resources())));
      }
      p.lock.close();
      p.lock = null;
    }

    /** Lets go of every lock still held, once no batch is out (after a failure of the probe as a whole). */
    void releaseAll() {
      for (Sent sent : inFlight) {
        try {
          sent.answer.join(); // a request in flight keeps its mailbox's lock until it is answered
        } catch (RuntimeException ignored) {
          // already reported: the mailboxes are read by their rounds
        }
      }
      for (Probing p : held) {
        if (p.lock != null) {
          p.lock.close();
        }
      }
    }

    /** A policy's 403 to an app-only probe: observed once, as the round would (it then falls back). */
    private void denied(Probing p, AccessDeniedByPolicyException e) {
      if (!p.deniedObserved) {
        p.deniedObserved = true;
        decisions.observed(p.mailbox, AccessDecision.deny(e.code(), "an application access policy or RBAC scope blocks"
            + " app-only access (403 " + e.code() + ")", "live-probe"));
        log.info("App-only probe of mailbox {} denied by policy; its round falls back where possible", p.mailbox.id());
      }
    }

    /** One mailbox being probed: its lock, its steps, and what they found. */
    private final class Probing {
      final MailboxId id;
      MailboxLocks.Held lock;
      Mailbox mailbox;
      MailboxState before;
      AccessToken delegatedToken;
      TokenException delegatedFailure;
      boolean failed;
      boolean deniedObserved;
      int outstanding;
      final List<Step> steps = new ArrayList<>();
      final Set<Resource> changed = EnumSet.noneOf(Resource.class);
      final Map<Resource, Failure> failures = new EnumMap<>(Resource.class);
      final Map<Resource, Touch> appOnly = new EnumMap<>(Resource.class);
      final Map<Resource, List<Page>> pages = new EnumMap<>(Resource.class);

      Probing(MailboxId id, MailboxLocks.Held lock) {
        this.id = id;
        this.lock = lock;
      }

      /** One access-audit record per resource probed app-only. */
      Stream<AccessRecord> accessRecords() {
        return appOnly.entrySet().stream().map(e -> new AccessRecord(mailbox.id(), e.getKey(), e.getValue().startedAt,
            e.getValue().finishedAt, e.getValue().outcome, e.getValue().requests, e.getValue().code));
      }

      /** A step that was not sent: the resource is read by the round. */
      void notSent(Step s) {
        changed.add(s.resource);
        outstanding--;
      }

      void answered(Step s, BatchedDelta<?> result, Instant startedAt, Instant finishedAt) {
        outstanding--;
        // a request without a link is a full read (the events window sliding): its page is never quiet
        if (result == null || !result.ok() || !empty(result.page()) || s.probe.request().cursor() == null) {
          changed.add(s.resource);
          if (result != null && result.ok() && hold(result.page())) {
            pages.computeIfAbsent(s.resource, r -> new ArrayList<>())
                .add(new Page(s.probe.session().mode(), s.probe.request(), result.page()));
          }
        }
        if (result == null || result.notSent()) {
          return; // nothing reached the mailbox (or nothing is known to have): the round reads it
        }
        AuthMode mode = s.probe.session().mode();
        GatewayException failure = result.failure();
        if (failure instanceof AccessDeniedByPolicyException e && mode == AuthMode.APPLICATION) {
          denied(this, e);
        } else if (failure != null && !(failure instanceof SyncStateExpiredException)) {
          failures.putIfAbsent(s.resource, new Failure(mode, failure));
          if (failure instanceof ThrottledException t) {
            ctx.listener().throttled(mailbox, s.resource, t.retryAfter());
          }
        }
        if (mode == AuthMode.APPLICATION) {
          appOnly.computeIfAbsent(s.resource, r -> new Touch(startedAt)).add(result, finishedAt);
        }
      }
    }
  }

  /** Whether a mailbox in {@code state} is probed: active and due; any other status is for its round to settle. */
  private static boolean probed(MailboxState state, Instant now) {
    return state.status() == MailboxStatus.ACTIVE && EngineCore.due(state, now);
  }

  /** An empty page that ends the round: nothing changed since the link. */
  private static boolean empty(DeltaPage<?> page) {
    return page.changes().isEmpty() && page.skipped().isEmpty() && !page.more();
  }

  private record Step(Run.Probing owner, Resource resource, DeltaProbe<?> probe) {}

  /** What a group's probes read of the store: enrollments and states by mailbox, and their cursors. */
  private record Stored(Map<MailboxId, Mailbox> enrolled, Map<MailboxId, MailboxState> states,
                        Map<CursorKey, String> cursors) {}

  private record Sent(List<Step> steps, List<Step> live, Instant startedAt,
                      CompletableFuture<List<BatchedDelta<?>>> answer) {}

  /** One resource's app-only probe requests, for its access-audit record. */
  private static final class Touch {
    final Instant startedAt;
    Instant finishedAt;
    int requests;
    AccessRecord.Outcome outcome = AccessRecord.Outcome.SUCCEEDED;
    String code;

    Touch(Instant startedAt) {
      this.startedAt = startedAt;
    }

    void add(BatchedDelta<?> result, Instant at) {
      finishedAt = at;
      requests++;
      GatewayException failure = result.failure();
      if (failure != null && outcome == AccessRecord.Outcome.SUCCEEDED) {
        outcome = failure instanceof AccessDeniedByPolicyException ? AccessRecord.Outcome.DENIED_BY_POLICY
            : failure instanceof ThrottledException ? AccessRecord.Outcome.THROTTLED : AccessRecord.Outcome.FAILED;
        code = failure.code();
      }
    }
  }
}
