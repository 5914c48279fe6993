package io.m365sync.policy;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.policy.PermissionFinding.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The admin readiness report ("doctor"): one call walks a tenant's setup for application-mode sync
 * — app registration, delegated and application permissions, admin consent, over-broad grants, the
 * CRM's "enable application permission" setting, client credential expiry, the access policy scope
 * versus the enrolled users, and To Do coverage — and says exactly how to fix each problem.
 *
 * <p>Read-only; thread-safe if its sources are.
 */
public final class ReadinessDoctor {
  /** Secrets and certificates expiring within this window produce a warning. */
  public static final Duration DEFAULT_CREDENTIAL_WARNING = Duration.ofDays(30);

  private final Function<TenantId, AppId> apps;
  private final AppRegistrations<?> registrations;
  private final DirectorySource directories;
  private final AccessPolicySource policies;
  private final Clock clock;
  private final Duration credentialWarning;
  private final Duration propagationWindow;

  /**
   * @param credentialWarning how far ahead to warn about expiring client credentials
   * @param propagationWindow how long declared policy changes take to be enforced
   */
  public ReadinessDoctor(AppId app, DirectorySource directories, AccessPolicySource policies, Clock clock,
                         Duration credentialWarning, Duration propagationWindow) {
    this(AppIds.single(app), null, directories, policies, clock, credentialWarning, propagationWindow);
  }

  /**
   * For hosts where each customer tenant registered its own app: a tenant is examined for the client
   * id {@code registrations} names for it, and the credential expiry the host knows is checked too.
   */
  public ReadinessDoctor(AppRegistrations<?> registrations, DirectorySource directories, AccessPolicySource policies,
                         Clock clock, Duration credentialWarning, Duration propagationWindow) {
    this(AppIds.of(registrations), registrations, directories, policies, clock, credentialWarning, propagationWindow);
  }

  /** Per-tenant registrations with a 30-day credential warning and a 60-minute propagation window. */
  public ReadinessDoctor(AppRegistrations<?> registrations, DirectorySource directories, AccessPolicySource policies,
                         Clock clock) {
    this(registrations, directories, policies, clock, DEFAULT_CREDENTIAL_WARNING,
        DeclaredAccessPolicyCheck.DEFAULT_PROPAGATION_WINDOW);
  }

  private ReadinessDoctor(Function<TenantId, AppId> apps, AppRegistrations<?> registrations, DirectorySource directories,
                          AccessPolicySource policies, Clock clock, Duration credentialWarning, Duration propagationWindow) {
    this.apps = apps;
    this.registrations = registrations;
    this.directories = Checks.requireNonNull(directories, "directories");
    this.policies = Checks.requireNonNull(policies, "policies");
    this.clock = Checks.requireNonNull(clock, "clock");
    this.credentialWarning = Checks.requirePositive(credentialWarning, "credentialWarning");
    this.propagationWindow = Checks.requirePositive(propagationWindow, "propagationWindow");
  }

  /** With a 30-day credential warning and a 60-minute propagation window. */
  public ReadinessDoctor(AppId app, DirectorySource directories, AccessPolicySource policies, Clock clock) {
    this(app, directories, policies, clock, DEFAULT_CREDENTIAL_WARNING, DeclaredAccessPolicyCheck.DEFAULT_PROPAGATION_WINDOW);
  }

  /** Walks every check for {@code request.tenant()}. */
  public ReadinessReport examine(ReadinessRequest request) {
    Checks.requireNonNull(request, "request");
    Instant now = clock.instant();
    TenantId tenant = request.tenant();
    AppId app = apps.apply(tenant);
    DirectoryReader directory = directories.directory(tenant);
    AppPermissionState state = AppPermissionState.read(directory, app);
    AccessPolicySet declared = policies.declared(tenant);
    String appName = state.app().map(ServicePrincipal::displayName)
        .or(() -> state.registration().map(AppRegistration::displayName)).orElse("CRM sync app");
    Examination x = new Examination(app, request, now, directory, state, declared, new AdminFixes(tenant, app, appName));

    List<CheckResult> checks = new ArrayList<>();
    checks.add(x.appRegistration());
    boolean appFound = state.complete();
    checks.add(appFound ? x.delegatedPermissions() : CheckResult.skipped(CheckId.DELEGATED_PERMISSIONS, "Needs the app registration"));
    checks.add(appFound ? x.applicationPermissions() : CheckResult.skipped(CheckId.APPLICATION_PERMISSIONS, "Needs the app registration"));
    checks.add(appFound ? x.adminConsent() : CheckResult.skipped(CheckId.ADMIN_CONSENT, "Needs the app registration"));
    checks.add(appFound ? x.overBroad() : CheckResult.skipped(CheckId.OVER_BROAD_GRANTS, "Needs the app registration"));
    checks.add(x.applicationModeEnabled());
    checks.add(x.credentials());
    checks.addAll(x.accessPolicy());
    checks.add(x.todo());
    return new ReadinessReport(tenant, app, now, checks);
  }

  /** One examination's inputs, so each check is a small method. */
  private final class Examination {
    private final AppId app;
    private final ReadinessRequest request;
    private final Instant now;
    private final DirectoryReader directory;
    private final AppPermissionState state;
    private final AccessPolicySet declared;
    private final AdminFixes fixes;
    private final Set<String> appPermissions;

    Examination(AppId app, ReadinessRequest request, Instant now, DirectoryReader directory, AppPermissionState state,
                AccessPolicySet declared, AdminFixes fixes) {
      this.app = app;
      this.request = request;
      this.now = now;
      this.directory = directory;
      this.state = state;
      this.declared = declared;
      this.fixes = fixes;
      this.appPermissions = PermissionMatrix.applicationPermissions(request.resources());
    }

    /** Whether an RBAC for Applications role assignment grants {@code permission} without an Entra consent. */
    private boolean viaRbac(String permission) {
      return PermissionMatrix.scopable(permission)
          && declared.assignmentsFor(app).stream().anyMatch(a -> a.permission().equals(permission));
    }

    CheckResult appRegistration() {
      if (state.graph().isEmpty()) {
        return new CheckResult(CheckId.APP_REGISTRATION, CheckStatus.FAIL, "Microsoft Graph's service principal was not found in tenant "
            + request.tenant() + "; the directory cannot be read as expected", List.of(), fixes.registerApp());
      }
      if (state.app().isEmpty()) {
        return new CheckResult(CheckId.APP_REGISTRATION, CheckStatus.FAIL, "App " + app + " has no enterprise application "
            + "(service principal) in tenant " + request.tenant(), List.of("Nobody has consented to the app in this tenant yet"),
            fixes.registerApp());
      }
      List<String> details = new ArrayList<>();
      details.add("Service principal " + state.app().get().id() + " ('" + state.app().get().displayName() + "')");
      state.registration().ifPresentOrElse(r -> details.add("App registration object " + r.objectId()),
          () -> details.add("App registration not visible here (multi-tenant app registered in another tenant)"));
      return CheckResult.pass(CheckId.APP_REGISTRATION, "App " + app + " is registered in tenant " + request.tenant(), details);
    }

    CheckResult delegatedPermissions() {
      if (state.registration().isEmpty()) {
        return CheckResult.skipped(CheckId.DELEGATED_PERMISSIONS, "The app registration lives in the app's home tenant; run the doctor there");
      }
      Set<String> needed = PermissionMatrix.delegatedScopes(request.resources());
      Set<String> missing = new TreeSet<>(needed);
      missing.removeAll(state.addedDelegated());
      if (missing.isEmpty()) {
        return CheckResult.pass(CheckId.DELEGATED_PERMISSIONS, "The add-in's delegated permissions are present: " + needed, List.of());
      }
      return new CheckResult(CheckId.DELEGATED_PERMISSIONS, CheckStatus.FAIL, "Delegated permissions missing: " + missing
          + "; the Outlook add-in needs them even when background sync uses application permissions",
          missing.stream().map(p -> "Delegated " + p + " was removed from app " + app).toList(),
          fixes.addPermissions("Delegated", missing, state.registration().get().objectId(), leastRequiredAccess()));
    }

    CheckResult applicationPermissions() {
      Set<String> notAdded = new TreeSet<>();
      for (String p : appPermissions) {
        boolean added = state.registration().isEmpty() || PermissionMatrix.satisfies(state.addedApplication(), p);
        if (!added && !PermissionMatrix.satisfies(state.consentedNames(), p) && !viaRbac(p)) {
          notAdded.add(p);
        }
      }
      if (notAdded.isEmpty()) {
        return CheckResult.pass(CheckId.APPLICATION_PERMISSIONS, "Application permissions added: " + appPermissions, List.of());
      }
      List<String> details = notAdded.stream().map(p -> "Application " + p + " is not added to app " + app
          + (p.startsWith("Tasks.") ? " (Graph has no app-only Tasks.ReadWrite; To Do needs Tasks.ReadWrite.All)" : "")).toList();
      String objectId = state.registration().map(AppRegistration::objectId).orElse("<application object id>");
      return new CheckResult(CheckId.APPLICATION_PERMISSIONS, CheckStatus.FAIL, "Application permissions not added: " + notAdded,
          details, fixes.addPermissions("Application", notAdded, objectId, leastRequiredAccess()));
    }

    CheckResult adminConsent() {
      List<PermissionDefinition> unconsented = new ArrayList<>();
      for (String p : appPermissions) {
        boolean added = state.registration().isEmpty() || PermissionMatrix.satisfies(state.addedApplication(), p);
        if (added && !PermissionMatrix.satisfies(state.consentedNames(), p) && !viaRbac(p)) {
          state.graph().get().appRole(p).ifPresent(unconsented::add);
        }
      }
      if (unconsented.isEmpty()) {
        return CheckResult.pass(CheckId.ADMIN_CONSENT, "Admin consent granted for " + appPermissions, List.of());
      }
      List<String> names = unconsented.stream().map(PermissionDefinition::value).toList();
      return new CheckResult(CheckId.ADMIN_CONSENT, CheckStatus.FAIL, "Admin consent missing for " + names,
          names.stream().map(n -> n + " is added to app " + app + " but not consented (no app role assignment)").toList(),
          fixes.grantConsent(names, state.app().get().id(), state.graph().get().id(), unconsented));
    }

    CheckResult overBroad() {
      PermissionInspection inspection = new DirectoryPermissionVerifier(app, t -> directory, t -> declared)
          .inspect(request.tenant(), request.resources(), AuthMode.APPLICATION, null);
      List<PermissionFinding> broad = new ArrayList<>(inspection.findings(Kind.OVER_BROAD));
      List<PermissionFinding> unneeded = inspection.findings(Kind.UNNEEDED);
      if (broad.isEmpty() && unneeded.isEmpty()) {
        return CheckResult.pass(CheckId.OVER_BROAD_GRANTS, "No grant beyond the least set " + inspection.leastSet().application(), List.of());
      }
      List<PermissionFinding> all = new ArrayList<>(broad);
      all.addAll(unneeded);
      Set<String> names = all.stream().map(PermissionFinding::permission).collect(Collectors.toCollection(LinkedHashSet::new));
      String spId = state.app().get().id();
      List<String> lines = names.stream().map(n -> fixes.removeAssignmentLine(spId, state.consentedApplication().get(n), n)).toList();
      return new CheckResult(CheckId.OVER_BROAD_GRANTS, broad.isEmpty() ? CheckStatus.WARN : CheckStatus.FAIL,
          "Grants beyond what sync needs: " + names, all.stream().map(PermissionFinding::message).toList(),
          fixes.removeAssignments(lines, names));
    }

    CheckResult applicationModeEnabled() {
      if (request.applicationPermissionEnabled()) {
        return CheckResult.pass(CheckId.APPLICATION_MODE_ENABLED, "Application permission is enabled in the sync settings", List.of());
      }
      return new CheckResult(CheckId.APPLICATION_MODE_ENABLED, CheckStatus.FAIL, "Application permission is not enabled in the sync "
          + "settings: background sync uses delegated tokens only and stops for a user whose token dies (90 days unused)",
          List.of(), fixes.enableApplicationMode(appPermissions));
    }

    CheckResult credentials() {
      if (state.registration().isEmpty()) {
        return knownExpiry().map(this::hostCredential).orElseGet(() -> CheckResult.skipped(CheckId.CLIENT_CREDENTIALS,
            "Credentials live on the app registration in the app's home tenant"));
      }
      AppRegistration registration = state.registration().get();
      List<ClientCredential> valid = registration.credentials().stream().filter(c -> c.endDateTime().isAfter(now)).toList();
      List<String> details = registration.credentials().stream().map(c -> c.kind() + " '" + c.displayName() + "' ("
          + c.keyId() + ") " + (c.endDateTime().isAfter(now) ? "expires " : "expired ") + c.endDateTime()).toList();
      Fix fix = fixes.newSecret(registration.objectId(), now);
      if (valid.isEmpty()) {
        return new CheckResult(CheckId.CLIENT_CREDENTIALS, CheckStatus.FAIL, registration.credentials().isEmpty()
            ? "App " + app + " has no client secret or certificate: app-only tokens cannot be acquired"
            : "Every client secret and certificate of app " + app + " has expired", details, fix);
      }
      Instant last = valid.stream().map(ClientCredential::endDateTime).max(Instant::compareTo).orElseThrow();
      if (last.isBefore(now.plus(credentialWarning))) {
        long days = Duration.between(now, last).toDays();
        return new CheckResult(CheckId.CLIENT_CREDENTIALS, CheckStatus.WARN, "The last valid client credential of app " + app
            + " expires " + last + " (in " + days + " days); app-only sync stops then", details, fix);
      }
      return CheckResult.pass(CheckId.CLIENT_CREDENTIALS, "A client credential is valid until " + last, details);
    }

    /** The expiry of the credential the host uses for this tenant, if its registrations say. */
    private Optional<Instant> knownExpiry() {
      return registrations == null ? Optional.empty()
          : registrations.forTenant(request.tenant()).credentialExpiry();
    }

    /** The credential check from the expiry the host knows, when the directory cannot show the registration. */
    private CheckResult hostCredential(Instant expires) {
      List<String> details = List.of("The credential the CRM uses for this tenant " + (expires.isAfter(now) ? "expires " : "expired ")
          + expires + " (as the CRM's app registrations say)");
      if (!expires.isAfter(now)) {
        return new CheckResult(CheckId.CLIENT_CREDENTIALS, CheckStatus.FAIL, "The client credential of app " + app
            + " used for this tenant has expired", details, fixes.newSecret("<application object id>", now));
      }
      if (expires.isBefore(now.plus(credentialWarning))) {
        return new CheckResult(CheckId.CLIENT_CREDENTIALS, CheckStatus.WARN, "The client credential of app " + app
            + " used for this tenant expires " + expires + " (in " + Duration.between(now, expires).toDays()
            + " days); app-only sync stops then", details, fixes.newSecret("<application object id>", now));
      }
      return CheckResult.pass(CheckId.CLIENT_CREDENTIALS, "The client credential used for this tenant is valid until " + expires,
          details);
    }

    List<CheckResult> accessPolicy() {
      String group = request.scopeGroup().orElse("<mail-enabled security group, e.g. crm-sync@" + domain() + ">");
      List<String> enrolledUpns = request.enrolled().stream().map(Mailbox::userPrincipalName).sorted().toList();
      String spId = state.app().map(ServicePrincipal::id).orElse("<service principal object id>");
      if (!declared.limits(app)) {
        CheckResult none = new CheckResult(CheckId.ACCESS_POLICY, CheckStatus.WARN, "No application access policy or RBAC for "
            + "Applications assignment limits app " + app + ": app-only tokens can reach every mailbox of the tenant, and only "
            + "m365sync's enrollment gate keeps it to enrolled users", List.of(),
            fixes.restrictToGroup(group, enrolledUpns, appPermissions, spId));
        return List.of(none,
            CheckResult.pass(CheckId.ENROLLED_OUT_OF_SCOPE, "No policy limits the app, so every enrolled mailbox is reachable", List.of()),
            CheckResult.skipped(CheckId.SCOPE_NOT_ENROLLED, "No policy scope to compare"));
      }
      AccessPolicyEvaluator evaluator = new AccessPolicyEvaluator(request.tenant(), app, directory);
      Map<ApplicationAccessPolicy, List<DirectoryUser>> restrictMembers = new LinkedHashMap<>();
      try {
        for (ApplicationAccessPolicy p : declared.policiesFor(app)) {
          List<DirectoryUser> members = evaluator.scopeMembers(p); // validates every scope group
          if (p.accessRight() == AccessRight.RESTRICT_ACCESS) {
            restrictMembers.put(p, members);
          }
        }
      } catch (PolicyException e) {
        String badGroup = e instanceof UnknownGroupException u ? u.group() : e instanceof InvalidScopeGroupException i ? i.group() : group;
        CheckResult broken = new CheckResult(CheckId.ACCESS_POLICY, CheckStatus.FAIL, e.getMessage(), List.of(),
            new Fix(List.of("Exchange admin center > Recipients > Groups: create (or convert to) a mail-enabled security group for "
                + "the enrolled users", "Replace the policy on " + badGroup + " with one on that group"),
                List.of("Connect-ExchangeOnline", "Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq '" + app + "' }",
                    "Remove-ApplicationAccessPolicy -Identity '<identity of the policy on " + badGroup + ">'", fixes.newPolicy(group))));
        return List.of(broken, CheckResult.skipped(CheckId.ENROLLED_OUT_OF_SCOPE, "The policy cannot be evaluated"),
            CheckResult.skipped(CheckId.SCOPE_NOT_ENROLLED, "The policy cannot be evaluated"));
      }
      return List.of(policyState(group, enrolledUpns), enrolledOutOfScope(evaluator, restrictMembers.keySet()),
          scopeNotEnrolled(restrictMembers));
    }

    private CheckResult policyState(String group, List<String> enrolledUpns) {
      List<String> details = new ArrayList<>();
      declared.policiesFor(app).forEach(p -> details.add(p.describe() + ", created " + p.createdAt()));
      declared.assignmentsFor(app).forEach(a -> details.add("RBAC role '" + a.role() + "' " + (a.organizationWide()
          ? "organization-wide" : "scope '" + a.customResourceScope() + "' (" + declared.scope(a.customResourceScope())
          .map(s -> s.filter().toOpath()).orElse("?") + ")") + ", created " + a.createdAt()));
      Optional<Instant> last = declared.lastChangeFor(app);
      if (last.isPresent() && now.isBefore(last.get().plus(propagationWindow))) {
        Instant until = last.get().plus(propagationWindow);
        List<String> tests = new ArrayList<>();
        enrolledUpns.stream().limit(1).forEach(upn -> {
          tests.add(fixes.testPolicy(upn));
          tests.add(fixes.testRbac(upn));
        });
        if (tests.isEmpty()) {
          tests.add(fixes.testPolicy("<user@" + domain() + ">"));
        }
        return new CheckResult(CheckId.ACCESS_POLICY, CheckStatus.WARN, "A policy change made " + last.get()
            + " is still propagating; Graph may enforce it only after " + until + " (m365sync keeps the previous decision until then)",
            details, new Fix(List.of("Wait until " + until + " before relying on the change; nothing else to do"), tests));
      }
      return CheckResult.pass(CheckId.ACCESS_POLICY, "App " + app + " is limited by declared Exchange policy", details);
    }

    private CheckResult enrolledOutOfScope(AccessPolicyEvaluator evaluator, Set<ApplicationAccessPolicy> restricts) {
      List<String> out = new ArrayList<>();
      List<String> outUpns = new ArrayList<>();
      for (Mailbox m : request.enrolled()) {
        Optional<DirectoryUser> user = directory.user(m.id().userObjectId()).or(() -> directory.user(m.userPrincipalName()));
        if (user.isEmpty()) {
          out.add(m.userPrincipalName() + ": not found in the directory");
          outUpns.add(m.userPrincipalName());
          continue;
        }
        for (Resource r : m.resources().stream().filter(request.resources()::contains).sorted().toList()) {
          if (!r.coveredByAccessPolicies()) {
            continue;
          }
          String p = r.applicationPermission();
          boolean consent = PermissionMatrix.satisfies(state.consentedNames(), p)
              || declared.assignmentsFor(app).stream().noneMatch(a -> a.permission().equals(p));
          MailboxAccess access = evaluator.evaluate(declared, user.get(), p, consent);
          if (!access.granted()) {
            out.add(m.userPrincipalName() + " (" + r + "): " + access.explanation());
            outUpns.add(m.userPrincipalName());
            break;
          }
        }
      }
      if (out.isEmpty()) {
        return CheckResult.pass(CheckId.ENROLLED_OUT_OF_SCOPE, "Every enrolled mailbox (" + request.enrolled().size()
            + ") is inside the policy scope", List.of());
      }
      String group = restricts.stream().findFirst().map(ApplicationAccessPolicy::scopeGroup)
          .or(request::scopeGroup).orElse("<scope group>");
      List<String> ps = new ArrayList<>(List.of("Connect-ExchangeOnline"));
      for (String upn : outUpns) {
        ps.add("Add-DistributionGroupMember -Identity " + group + " -Member " + upn);
        ps.add(fixes.testPolicy(upn));
        if (!declared.assignmentsFor(app).isEmpty()) {
          ps.add(fixes.testRbac(upn));
        }
      }
      return new CheckResult(CheckId.ENROLLED_OUT_OF_SCOPE, CheckStatus.FAIL, outUpns.size() + " enrolled mailbox(es) are outside the "
          + "policy scope: app-only sync is denied for them and falls back to their delegated tokens, which die after 90 days", out,
          new Fix(List.of("Exchange admin center > Recipients > Groups > " + group + " > Members: add " + String.join(", ", outUpns),
              "For RBAC scopes: change the recipients' attributes so the management scope's filter matches them",
              "Wait up to an hour, then verify with Test-ApplicationAccessPolicy / Test-ServicePrincipalAuthorization"), ps));
    }

    private CheckResult scopeNotEnrolled(Map<ApplicationAccessPolicy, List<DirectoryUser>> restrictMembers) {
      if (restrictMembers.isEmpty()) {
        return CheckResult.skipped(CheckId.SCOPE_NOT_ENROLLED, "No RestrictAccess group to compare (RBAC scopes are filters, not lists)");
      }
      Set<String> enrolledIds = request.enrolled().stream().map(m -> m.id().userObjectId()).collect(Collectors.toSet());
      List<String> details = new ArrayList<>();
      List<String> ps = new ArrayList<>(List.of("Connect-ExchangeOnline"));
      restrictMembers.forEach((policy, members) -> members.stream().filter(u -> !enrolledIds.contains(u.id()))
          .sorted(java.util.Comparator.comparing(DirectoryUser::userPrincipalName)).forEach(u -> {
            details.add(u.userPrincipalName() + " is in " + policy.scopeGroup() + " but never signed in to the add-in");
            ps.add("Remove-DistributionGroupMember -Identity " + policy.scopeGroup() + " -Member " + u.userPrincipalName());
          }));
      if (details.isEmpty()) {
        return CheckResult.pass(CheckId.SCOPE_NOT_ENROLLED, "Every member of the policy scope is enrolled", List.of());
      }
      return new CheckResult(CheckId.SCOPE_NOT_ENROLLED, CheckStatus.WARN, details.size() + " member(s) of the policy scope never "
          + "enrolled: m365sync will not touch them, but app " + app + " may; remove them to keep the scope tight", details,
          new Fix(List.of("Exchange admin center > Recipients > Groups: remove the listed members, or ask them to sign in to the add-in"), ps));
    }

    CheckResult todo() {
      if (!request.resources().contains(Resource.TASKS)) {
        return CheckResult.pass(CheckId.TODO_COVERAGE, "To Do is not synced", List.of());
      }
      return new CheckResult(CheckId.TODO_COVERAGE, CheckStatus.WARN, "To Do sync in application mode needs Tasks.ReadWrite.All, which "
          + "application access policies and RBAC for Applications do not cover: app " + app + " can reach every user's To Do "
          + "lists; only m365sync's enrollment gate limits it", List.of(),
          new Fix(List.of("Accept tenant-wide Tasks.ReadWrite.All for app " + app + ", or turn off To Do sync in the CRM's "
              + "Microsoft 365 sync settings and remove Tasks.ReadWrite.All under App registrations > API permissions"),
              List.of("# No Exchange cmdlet can scope Tasks.ReadWrite.All; New-ApplicationAccessPolicy and "
                  + "New-ManagementRoleAssignment do not apply to To Do")));
    }

    /** The least requiredResourceAccess (delegated + application), ids from Graph's service principal. */
    private List<RequiredPermission> leastRequiredAccess() {
      ServicePrincipal graph = state.graph().orElseThrow();
      List<RequiredPermission> out = new ArrayList<>();
      PermissionMatrix.delegatedScopes(request.resources()).forEach(s -> graph.scope(s)
          .ifPresent(d -> out.add(new RequiredPermission(AppId.MICROSOFT_GRAPH, d.id(), RequiredPermission.Type.SCOPE))));
      appPermissions.forEach(p -> graph.appRole(p)
          .ifPresent(d -> out.add(new RequiredPermission(AppId.MICROSOFT_GRAPH, d.id(), RequiredPermission.Type.ROLE))));
      return out;
    }

    private String domain() {
      return request.enrolled().stream().map(Mailbox::userPrincipalName).filter(u -> u.contains("@"))
          .map(u -> u.substring(u.indexOf('@') + 1)).findFirst().orElse(request.tenant().value());
    }
  }
}
