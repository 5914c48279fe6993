package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.AccessDecision;
import io.m365sync.access.AccessPolicyCheck;
import io.m365sync.auth.AppRegistrations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The engine's {@link AccessPolicyCheck} backed by the tenant's declared Exchange configuration.
 *
 * <p>Layers, in order:
 * <ol>
 *   <li><b>Enrollment</b> — the engine asks only for enrolled mailboxes (it gates before asking).
 *   <li><b>Declared policy</b> (prediction) — application access policies and RBAC for Applications
 *       from the {@link AccessPolicySource}, evaluated with {@link AccessPolicyEvaluator} against the
 *       directory, for every resource of the mailbox that the mechanisms cover.
 *   <li><b>Propagation</b> — a declared item is enforced only {@code propagationWindow} (default
 *       60 min) after it was created, and a removed one until the window after it was seen gone.
 *       While a change is pending, the previously effective decision is kept, so the decision for
 *       a mailbox changes once per change, never back and forth.
 *   <li><b>Observation</b> (ground truth) — {@link #observed} records what Graph answered. If it
 *       disagrees with the policy in effect outside a propagation window, that is {@link PolicyDrift}:
 *       reported through {@link #drift()}, and the mailbox is held denied — neither side is trusted
 *       to open access. Observations older than the last effective change that contradict it are
 *       stale and ignored (agreeing ones are kept: Graph may enforce a change before the window ends).
 *       A 403 that contradicts a declared allow is held for one window, then the check allows again
 *       so the engine re-probes (Exchange may be slower than the window).
 *       When Graph's 403 agrees with a declared deny, the answer keeps Graph's reason code, so the
 *       engine's mailbox status does not change code when its cached 403 expires.
 * </ol>
 *
 * <p>To Do ({@code Tasks.ReadWrite.All}) is covered by neither mechanism; statuses say so and only
 * the enrollment gate limits it. A declared policy that cannot be evaluated (unknown or invalid
 * scope group) denies with reason code {@code PolicyConfigurationInvalid} instead of throwing.
 *
 * <p>Thread-safe. Never throws for a deny; directory transport failures propagate.
 */
public final class DeclaredAccessPolicyCheck implements AccessPolicyCheck {
  /** Exchange documents that policy changes can take longer than an hour to reach Graph. */
  public static final Duration DEFAULT_PROPAGATION_WINDOW = Duration.ofMinutes(60);
  static final String TODO_NOTE = "To Do (Tasks.ReadWrite.All) is not covered by application access policies or RBAC for "
      + "Applications: app-only access to it is tenant-wide and only m365sync's enrollment gate limits it";

  private final Function<TenantId, AppId> apps;
  private final DirectorySource directories;
  private final AccessPolicySource policies;
  private final Clock clock;
  private final Duration window;
  private final Map<TenantId, PolicyPropagation> propagation = new ConcurrentHashMap<>();
  private final Map<MailboxId, Observation> observations = new ConcurrentHashMap<>();
  private final Map<MailboxId, AccessStatus> statuses = new ConcurrentHashMap<>();

  private DeclaredAccessPolicyCheck(Builder b) {
    this.apps = b.apps;
    this.directories = b.directories;
    this.policies = b.policies;
    this.clock = b.clock;
    this.window = b.window;
  }

  /** A builder for the check of {@code app}. */
  public static Builder builder(AppId app) {
    return new Builder(AppIds.single(app));
  }

  /**
   * A builder for hosts where each customer tenant registered its own app: a tenant's policies are
   * judged for the client id {@code registrations} names for it when the check runs.
   */
  public static Builder builder(AppRegistrations<?> registrations) {
    return new Builder(AppIds.of(registrations));
  }

  @Override
  public AccessDecision decide(Mailbox mailbox) {
    return status(mailbox).decision();
  }

  @Override
  public void observed(Mailbox mailbox, AccessDecision observed) {
    Checks.requireNonNull(observed, "observed");
    observations.put(mailbox.id(), new Observation(observed, clock.instant()));
    status(mailbox);
  }

  /** Recomputes and returns the mailbox's layered status. */
  public AccessStatus status(Mailbox mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    AccessStatus status = compute(mailbox, clock.instant());
    statuses.put(mailbox.id(), status);
    return status;
  }

  /** The last computed status of a mailbox, without recomputing. */
  public Optional<AccessStatus> lastStatus(MailboxId mailbox) {
    return Optional.ofNullable(statuses.get(mailbox));
  }

  /** Every mailbox currently in drift, oldest first. */
  public List<PolicyDrift> drift() {
    return statuses.values().stream().flatMap(s -> s.driftFinding().stream())
        .sorted(Comparator.comparing(PolicyDrift::detectedAt)).toList();
  }

  /** Mailboxes of {@code tenant} currently in drift. */
  public List<PolicyDrift> drift(TenantId tenant) {
    return drift().stream().filter(d -> d.mailbox().tenant().equals(tenant)).toList();
  }

  /** Forgets a mailbox (after unenrollment). */
  public void forget(MailboxId mailbox) {
    observations.remove(mailbox);
    statuses.remove(mailbox);
  }

  public Duration propagationWindow() {
    return window;
  }

  private AccessStatus compute(Mailbox mailbox, Instant now) {
    TenantId tenant = mailbox.tenant();
    List<String> notes = new ArrayList<>();
    if (mailbox.resources().contains(Resource.TASKS)) {
      notes.add(TODO_NOTE);
    }
    DirectoryReader directory = directories.directory(tenant);
    try {
      AccessPolicySet declared = policies.declared(tenant);
      PolicyPropagation.Snapshot snapshot = propagation.computeIfAbsent(tenant, t -> new PolicyPropagation(window)).update(declared, now);
      AppId app = apps.apply(tenant);
      AccessPolicyEvaluator evaluator = new AccessPolicyEvaluator(tenant, app, directory);
      DirectoryUser user = directory.user(mailbox.id().userObjectId()).or(() -> directory.user(mailbox.userPrincipalName()))
          .orElseThrow(() -> new UnknownRecipientException(tenant, mailbox.userPrincipalName()));
      Set<String> consented = AppPermissionState.read(directory, app).consentedNames();
      Verdict predicted = verdict(evaluator, declared, user, mailbox, consented);
      Verdict effective = verdict(evaluator, snapshot.effective(), user, mailbox, consented);
      Observation observed = observations.get(mailbox.id());
      if (observed != null && observed.at().isBefore(snapshot.lastEffectiveChange())
          && observed.decision().allowed() != effective.granted()) {
        // made under a configuration that is no longer in effect; one that agrees with the new one
        // (Graph enforced a change before the window ended) stays, so its reason code does too
        observed = null;
      }
      if (observed != null && !observed.decision().allowed() && effective.granted() && !now.isBefore(observed.at().plus(window))) {
        // a 403 the declared policy cannot explain is held for one window, then the engine may probe again:
        // Exchange may simply be slower than the window (a removed policy still enforced), and the engine
        // reports only 403s, never successes, so without a new probe the mailbox would stay denied forever
        observed = null;
      }
      if (predicted.granted() != effective.granted()) {
        Instant until = snapshot.nextChange().orElse(now);
        notes.add("A declared change is propagating until " + until + ": " + predicted.explanation());
        return new AccessStatus(mailbox.id(), decision(effective, observed, "pending until " + until), AccessState.PENDING,
            predicted.granted(), effective.granted(), effective.explanation(), until, observed, null, notes, now);
      }
      if (observed != null && observed.decision().allowed() != effective.granted()) {
        PolicyDrift drift = drift(mailbox.id(), effective, observed, now);
        AccessDecision held = observed.decision().allowed()
            ? AccessDecision.deny("DeclaredPolicyDrift", drift.explanation(), "declared-policy")
            : AccessDecision.deny("ErrorAccessDenied", drift.explanation(), "live-probe");
        return new AccessStatus(mailbox.id(), held, AccessState.DRIFT, predicted.granted(), effective.granted(),
            effective.explanation(), null, observed, drift, notes, now);
      }
      return new AccessStatus(mailbox.id(), decision(effective, observed, null), AccessState.IN_EFFECT, predicted.granted(),
          effective.granted(), effective.explanation(), null, observed, null, notes, now);
    } catch (PolicyException e) {
      notes.add("Fix the declared policy; the mailbox stays denied until it can be evaluated");
      return new AccessStatus(mailbox.id(), AccessDecision.deny("PolicyConfigurationInvalid", e.getMessage(), "declared-policy"),
          AccessState.CONFIG_ERROR, false, false, e.getMessage(), null, observations.get(mailbox.id()), null, notes, now);
    }
  }

  private PolicyDrift drift(MailboxId mailbox, Verdict effective, Observation observed, Instant now) {
    Instant since = Optional.ofNullable(statuses.get(mailbox)).flatMap(AccessStatus::driftFinding)
        .filter(d -> d.observed().equals(observed)).map(PolicyDrift::detectedAt).orElse(now);
    String what = observed.decision().allowed()
        ? "Graph allowed app-only access at " + observed.at() + " although the declared policy denies it (" + effective.explanation()
            + "); the policy may not be applied in Exchange — check with Test-ApplicationAccessPolicy"
        : "Graph denied app-only access at " + observed.at() + " (" + reason(observed.decision())
            + ") although the declared policy allows it (" + effective.explanation() + "); Exchange has a policy this library does not know";
    return new PolicyDrift(mailbox, effective.granted(), observed, since, what);
  }

  private static String reason(AccessDecision decision) {
    return decision instanceof AccessDecision.Deny d ? d.reasonCode() + (d.reason() == null ? "" : ": " + d.reason()) : "allowed";
  }

  /**
   * The answer for a verdict. A deny that Graph has confirmed (a still-relevant 403) keeps Graph's
   * reason code, so a mailbox the engine marked denied from the 403 is not re-marked with another
   * code when its cached decision expires and the check is asked again.
   */
  private static AccessDecision decision(Verdict verdict, Observation observed, String pending) {
    String suffix = pending == null ? "" : " (a declared change is " + pending + ")";
    if (verdict.granted()) {
      return AccessDecision.allow(verdict.scoped() ? "declared-policy" : "enrollment");
    }
    if (observed != null && observed.decision() instanceof AccessDecision.Deny d) {
      return AccessDecision.deny(d.reasonCode(), verdict.explanation() + suffix + "; confirmed by Graph at " + observed.at(),
          d.source());
    }
    return AccessDecision.deny("DeniedByDeclaredPolicy", verdict.explanation() + suffix, "declared-policy");
  }

  /** The mailbox's verdict over every resource the mechanisms cover; denied if any is denied. */
  private static Verdict verdict(AccessPolicyEvaluator evaluator, AccessPolicySet set, DirectoryUser user, Mailbox mailbox,
                                 Set<String> consented) {
    List<String> denied = new ArrayList<>();
    List<String> granted = new ArrayList<>();
    for (Resource resource : mailbox.resources().stream().sorted().toList()) {
      if (!resource.coveredByAccessPolicies()) {
        continue;
      }
      String permission = resource.applicationPermission();
      MailboxAccess access = evaluator.evaluate(set, user, permission, PermissionMatrix.satisfies(consented, permission));
      (access.granted() ? granted : denied).add(resource + ": " + access.explanation());
    }
    if (!denied.isEmpty()) {
      return new Verdict(false, true, String.join("; ", denied));
    }
    if (granted.isEmpty()) {
      return new Verdict(true, false, "no resource of this mailbox is covered by access policies; enrollment decides");
    }
    return new Verdict(true, true, granted.get(0));
  }

  private record Verdict(boolean granted, boolean scoped, String explanation) {}

  /** Single-use builder; settings may be set once. */
  public static final class Builder {
    private final Function<TenantId, AppId> apps;
    private DirectorySource directories;
    private AccessPolicySource policies;
    private Clock clock;
    private Duration window;
    private boolean built;

    private Builder(Function<TenantId, AppId> apps) {
      this.apps = apps;
    }

    /** The tenants' directories (required). */
    public Builder directories(DirectorySource directories) {
      requireUnset(this.directories, "directories");
      this.directories = Checks.requireNonNull(directories, "directories");
      return this;
    }

    /** The tenants' declared Exchange configuration (required). */
    public Builder policies(AccessPolicySource policies) {
      requireUnset(this.policies, "policies");
      this.policies = Checks.requireNonNull(policies, "policies");
      return this;
    }

    /** The clock (required); tests pass a mutable one. */
    public Builder clock(Clock clock) {
      requireUnset(this.clock, "clock");
      this.clock = Checks.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a declared change takes to be enforced; default {@link #DEFAULT_PROPAGATION_WINDOW}. */
    public Builder propagationWindow(Duration window) {
      requireUnset(this.window, "propagationWindow");
      this.window = Checks.requirePositive(window, "propagationWindow");
      return this;
    }

    /**
     * @throws IllegalStateException naming a missing setting, or if called twice
     */
    public DeclaredAccessPolicyCheck build() {
      if (built) {
        throw new IllegalStateException("This builder was already used");
      }
      if (directories == null) {
        throw new IllegalStateException("'directories' is required.");
      }
      if (policies == null) {
        throw new IllegalStateException("'policies' is required.");
      }
      if (clock == null) {
        throw new IllegalStateException("'clock' is required.");
      }
      if (window == null) {
        window = DEFAULT_PROPAGATION_WINDOW;
      }
      built = true;
      return new DeclaredAccessPolicyCheck(this);
    }

    private static void requireUnset(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException("'" + name + "' was already set to " + current);
      }
    }
  }
}
