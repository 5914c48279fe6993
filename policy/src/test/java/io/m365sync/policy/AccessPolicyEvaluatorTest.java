package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.TenantId;
import io.m365sync.policy.AccessPolicyTestResult.Rule;
import io.m365sync.policy.MailboxAccess.Mechanism;
import io.m365sync.policy.RbacAuthorization.InScope;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AccessPolicyEvaluatorTest {
  static final TenantId TENANT = TenantId.of("contoso.onmicrosoft.com");
  static final AppId APP = AppId.of("11111111-2222-3333-4444-555555555555");
  static final AppId OTHER = AppId.of("99999999-8888-7777-6666-555555555555");
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  static final FakeDirectory DIR = directory();
  final AccessPolicyEvaluator evaluator = new AccessPolicyEvaluator(TENANT, APP, DIR);

  static FakeDirectory directory() {
    FakeDirectory d = FakeDirectory.withRandomGraphIds();
    d.addUser("alice", "alice@contoso.com", Map.of("Department", "Sales", "CountryOrRegion", "DE", "City", "Berlin"));
    d.addUser("bob", "bob@contoso.com", Map.of("Department", "Sales", "CountryOrRegion", "FR", "CustomAttribute7", "crm"));
    d.addUser("carol", "carol@contoso.com", Map.of("Department", "Finance", "CountryOrRegion", "DE"));
    d.addUser("dave", "dave@contoso.com", Map.of("Department", "Board"));
    d.addGroup("sales", "sales@contoso.com", GroupKind.MAIL_ENABLED_SECURITY, "bob");
    d.addGroup("crm-sync", "crm-sync@contoso.com", GroupKind.MAIL_ENABLED_SECURITY, "alice", "sales", "dave");
    d.addGroup("execs", "execs@contoso.com", GroupKind.MAIL_ENABLED_SECURITY, "dave", "execs-inner");
    d.addGroup("execs-inner", null, GroupKind.MAIL_ENABLED_SECURITY, "execs"); // a cycle
    d.addGroup("all-staff", "all@contoso.com", GroupKind.DISTRIBUTION, "alice");
    return d;
  }

  static ApplicationAccessPolicy restrict(String appIds, String group) {
    return ApplicationAccessPolicy.of(appIds, AccessRight.RESTRICT_ACCESS, group, "", T0);
  }

  static ApplicationAccessPolicy deny(String appIds, String group) {
    return ApplicationAccessPolicy.of(appIds, AccessRight.DENY_ACCESS, group, "", T0);
  }

  static Stream<Arguments> evaluationOrder() {
    String app = APP.value();
    String other = OTHER.value();
    return Stream.of(
        Arguments.of("no policy grants", List.of(), "alice", true, Rule.NO_POLICY),
        Arguments.of("restrict, mailbox in group", List.of(restrict(app, "crm-sync")), "alice", true, Rule.RESTRICT_ACCESS_MATCH),
        Arguments.of("restrict, mailbox in nested group", List.of(restrict(app, "crm-sync")), "bob", true, Rule.RESTRICT_ACCESS_MATCH),
        Arguments.of("restrict, mailbox outside → deny", List.of(restrict(app, "crm-sync")), "carol", false, Rule.RESTRICT_ACCESS_NOT_IN_SCOPE),
        Arguments.of("restrict by group mail address", List.of(restrict(app, "crm-sync@contoso.com")), "bob", true, Rule.RESTRICT_ACCESS_MATCH),
        Arguments.of("deny, mailbox in group", List.of(deny(app, "execs")), "dave", false, Rule.DENY_ACCESS_MATCH),
        Arguments.of("deny, mailbox outside → grant", List.of(deny(app, "execs")), "carol", true, Rule.DENY_ACCESS_NOT_IN_SCOPE),
        Arguments.of("deny beats restrict", List.of(restrict(app, "crm-sync"), deny(app, "execs")), "dave", false, Rule.DENY_ACCESS_MATCH),
        Arguments.of("deny beats restrict, order-free", List.of(deny(app, "execs"), restrict(app, "crm-sync")), "dave", false, Rule.DENY_ACCESS_MATCH),
        Arguments.of("restrict + unrelated deny", List.of(restrict(app, "crm-sync"), deny(app, "execs")), "alice", true, Rule.RESTRICT_ACCESS_MATCH),
        Arguments.of("restrict + deny, mailbox in neither", List.of(restrict(app, "crm-sync"), deny(app, "execs")), "carol", false, Rule.RESTRICT_ACCESS_NOT_IN_SCOPE),
        Arguments.of("'*' restrict applies to us", List.of(restrict("*", "crm-sync")), "carol", false, Rule.RESTRICT_ACCESS_NOT_IN_SCOPE),
        Arguments.of("'*' deny applies to us", List.of(deny("*", "execs")), "dave", false, Rule.DENY_ACCESS_MATCH),
        Arguments.of("policy for another app is ignored", List.of(restrict(other, "crm-sync")), "carol", true, Rule.NO_POLICY),
        Arguments.of("multi-app policy naming us", List.of(restrict(other + "," + app, "crm-sync")), "carol", false, Rule.RESTRICT_ACCESS_NOT_IN_SCOPE),
        Arguments.of("second restrict matches", List.of(restrict(app, "crm-sync"), restrict(app, "execs")), "dave", true, Rule.RESTRICT_ACCESS_MATCH),
        Arguments.of("single-mailbox scope, same mailbox", List.of(restrict(app, "alice@contoso.com")), "alice", true, Rule.RESTRICT_ACCESS_MATCH),
        Arguments.of("single-mailbox scope, other mailbox", List.of(restrict(app, "alice@contoso.com")), "carol", false, Rule.RESTRICT_ACCESS_NOT_IN_SCOPE),
        Arguments.of("cyclic nested groups terminate", List.of(deny(app, "execs-inner")), "dave", false, Rule.DENY_ACCESS_MATCH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evaluationOrder")
  void followsExchangeEvaluationOrder(String name, List<ApplicationAccessPolicy> policies, String user, boolean granted, Rule rule) {
    AccessPolicyTestResult result = evaluator.testApplicationAccessPolicy(new AccessPolicySet(policies, List.of(), List.of()), user);

    assertThat(result.granted()).as(result.explanation()).isEqualTo(granted);
    assertThat(result.rule()).isEqualTo(rule);
    assertThat(result.accessCheckResult()).isEqualTo(granted ? "Granted" : "Denied");
    assertThat(result.explanation()).contains(APP.value());
  }

  @Test
  void namesTheDecidingPolicy() {
    ApplicationAccessPolicy denyExecs = deny(APP.value(), "execs");
    AccessPolicySet set = AccessPolicySet.of(restrict(APP.value(), "crm-sync"), denyExecs);

    AccessPolicyTestResult result = evaluator.testApplicationAccessPolicy(set, "dave@contoso.com");

    assertThat(result.decidingPolicy()).contains(denyExecs);
    assertThat(result.explanation()).contains("DenyAccess", "execs", "dave@contoso.com");
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "Department -eq 'Sales'                                   | alice | true",
      "Department -eq 'sales'                                   | alice | true",
      "Department -ne 'Sales'                                   | alice | false",
      "Department -ne 'Sales'                                   | carol | true",
      "CountryOrRegion -like 'D*'                               | alice | true",
      "CountryOrRegion -like 'D*'                               | bob   | false",
      "City -like '*rl*'                                        | alice | true",
      "Department -eq 'Sales' -and CountryOrRegion -eq 'DE'     | alice | true",
      "Department -eq 'Sales' -and CountryOrRegion -eq 'DE'     | bob   | false",
      "Department -eq 'Board' -or CustomAttribute7 -eq 'crm'    | bob   | true",
      "Department -eq 'Board' -or CustomAttribute7 -eq 'crm'    | alice | false",
      "-not (Department -eq 'Sales')                            | carol | true",
      "(Department -eq 'Sales' -or Department -eq 'Finance') -and CountryOrRegion -eq 'DE' | carol | true",
      "(Department -eq 'Sales' -or Department -eq 'Finance') -and CountryOrRegion -eq 'DE' | bob   | false",
      "CustomAttribute15 -eq 'x'                                | alice | false",
      "department -EQ \"Sales\"                                 | alice | true",
  })
  void recipientFilters(String filter, String user, boolean matches) {
    RecipientFilter parsed = RecipientFilter.parse(filter);

    assertThat(parsed.matches(DIR.user(user).orElseThrow())).isEqualTo(matches);
    assertThat(RecipientFilter.parse(parsed.toOpath())).isEqualTo(parsed);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Manager -eq 'x'                  | unsupported attribute 'Manager'",
      "Department -gt 'x'               | expected -eq, -ne or -like",
      "Department -eq Sales             | expected a quoted value",
      "Department -eq 'Sales            | unterminated string",
      "(Department -eq 'Sales'          | expected ')'",
      "Department -eq 'a' -and          | expected an attribute name",
      "Department -eq 'a' extra         | unexpected",
  })
  void rejectsBadRecipientFilters(String filter, String problem) {
    assertThatThrownBy(() -> RecipientFilter.parse(filter))
        .isInstanceOf(InvalidRecipientFilterException.class)
        .hasMessageContaining(problem);
  }

  static Stream<Arguments> rbacCases() {
    return Stream.of(
        Arguments.of("scoped role, mailbox in scope", "Mail.ReadWrite", "alice", false, true, Mechanism.RBAC_FOR_APPLICATIONS),
        Arguments.of("scoped role, mailbox outside, no Entra consent", "Mail.ReadWrite", "carol", false, false, Mechanism.NO_GRANT),
        Arguments.of("scoped role, mailbox outside, tenant-wide consent defeats scope", "Mail.ReadWrite", "carol", true, true,
            Mechanism.APPLICATION_ACCESS_POLICY),
        Arguments.of("org-wide role", "Calendars.ReadWrite", "carol", false, true, Mechanism.RBAC_FOR_APPLICATIONS),
        Arguments.of("no role, no consent", "Contacts.ReadWrite", "alice", false, false, Mechanism.NO_GRANT),
        Arguments.of("no role, consent", "Contacts.ReadWrite", "alice", true, true, Mechanism.APPLICATION_ACCESS_POLICY),
        Arguments.of("To Do cannot be scoped", "Tasks.ReadWrite.All", "carol", true, true, Mechanism.NOT_SCOPABLE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rbacCases")
  void rbacForApplications(String name, String permission, String user, boolean consent, boolean granted, Mechanism mechanism) {
    AccessPolicySet set = AccessPolicySet.empty()
        .with(ManagementScope.of("Sales DE", "Department -eq 'Sales' -and CountryOrRegion -like 'D*'", T0))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "Sales DE", T0))
        .with(ManagementRoleAssignment.of(APP, "Calendars.ReadWrite", null, T0))
        .with(ManagementRoleAssignment.of(OTHER, "Contacts.ReadWrite", null, T0));

    MailboxAccess access = evaluator.evaluate(set, DIR.user(user).orElseThrow(), permission, consent);

    assertThat(access.granted()).as(access.explanation()).isEqualTo(granted);
    assertThat(access.mechanism()).isEqualTo(mechanism);
  }

  @Test
  void tenantWideConsentNextToRbacScopeIsCalledOut() {
    AccessPolicySet set = AccessPolicySet.empty()
        .with(ManagementScope.of("Sales", "Department -eq 'Sales'", T0))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "Sales", T0));

    MailboxAccess access = evaluator.evaluate(set, DIR.user("carol").orElseThrow(), "Mail.ReadWrite", true);

    assertThat(access.explanation()).contains("makes the RBAC scope useless");
  }

  @Test
  void testServicePrincipalAuthorizationRows() {
    AccessPolicySet set = AccessPolicySet.empty()
        .with(ManagementScope.of("Sales", "Department -eq 'Sales'", T0))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "Sales", T0))
        .with(ManagementRoleAssignment.of(APP, "Calendars.ReadWrite", null, T0));

    assertThat(evaluator.testServicePrincipalAuthorization(set, DIR.user("carol").orElseThrow()))
        .extracting(RbacAuthorization::roleName, RbacAuthorization::allowedResourceScope, RbacAuthorization::inScope)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Application Mail.ReadWrite", "Sales", InScope.FALSE),
            org.assertj.core.groups.Tuple.tuple("Application Calendars.ReadWrite", "Organization", InScope.TRUE));
    assertThat(evaluator.testServicePrincipalAuthorization(set, null))
        .extracting(RbacAuthorization::inScope).containsOnly(InScope.NOT_RUN);
  }

  @Test
  void unknownScopeGroupIsATypedError() {
    AccessPolicySet set = AccessPolicySet.of(restrict(APP.value(), "no-such-group@contoso.com"));

    assertThatThrownBy(() -> evaluator.testApplicationAccessPolicy(set, "alice"))
        .isInstanceOf(UnknownGroupException.class)
        .hasMessageContaining("no-such-group@contoso.com")
        .extracting(e -> ((UnknownGroupException) e).group()).isEqualTo("no-such-group@contoso.com");
  }

  @Test
  void distributionGroupIsNotAValidScope() {
    AccessPolicySet set = AccessPolicySet.of(restrict(APP.value(), "all@contoso.com"));

    assertThatThrownBy(() -> evaluator.testApplicationAccessPolicy(set, "alice"))
        .isInstanceOf(InvalidScopeGroupException.class)
        .hasMessageContaining("mail-enabled security group");
  }

  @Test
  void unknownMailboxIsATypedError() {
    assertThatThrownBy(() -> evaluator.testApplicationAccessPolicy(AccessPolicySet.empty(), "zoe@contoso.com"))
        .isInstanceOf(UnknownRecipientException.class)
        .hasMessageContaining("zoe@contoso.com");
  }

  @ParameterizedTest
  @CsvSource({"not-a-guid", "11111111-2222-3333-4444-55555555555", "'11111111 2222 3333 4444 555555555555'", "''"})
  void malformedAppIdsAreTypedErrors(String value) {
    assertThatThrownBy(() -> AppId.of(value)).isInstanceOf(MalformedAppIdException.class).hasMessageContaining("GUID");
    assertThatThrownBy(() -> ApplicationAccessPolicy.of(APP.value() + "," + value, AccessRight.RESTRICT_ACCESS, "g", "", T0))
        .isInstanceOf(MalformedAppIdException.class);
  }

  @Test
  void appIdsAreNormalised() {
    assertThat(AppId.of(" 11111111-2222-3333-4444-55555555555A ")).isEqualTo(AppId.of("11111111-2222-3333-4444-55555555555a"));
  }

  @Test
  void policyForAnotherAppIsATypedError() {
    ApplicationAccessPolicy foreign = restrict(OTHER.value(), "crm-sync");

    assertThatThrownBy(() -> evaluator.covers(foreign, "alice"))
        .isInstanceOf(PolicyForAnotherAppException.class)
        .hasMessageContaining(OTHER.value())
        .hasMessageContaining(APP.value());
    assertThat(evaluator.covers(restrict("*", "crm-sync"), "bob")).isTrue();
  }

  @Test
  void roleAssignmentForAnotherAppIsATypedError() {
    AccessPolicySet set = AccessPolicySet.empty().with(ManagementRoleAssignment.of(OTHER, "Mail.ReadWrite", null, T0));

    assertThatThrownBy(() -> evaluator.explain(set, set.roleAssignments().get(0), "alice"))
        .isInstanceOf(PolicyForAnotherAppException.class);
  }

  @Test
  void roleAssignmentWithUndeclaredScopeIsATypedError() {
    assertThatThrownBy(() -> AccessPolicySet.empty().with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "Nowhere", T0)))
        .isInstanceOf(UnknownManagementScopeException.class)
        .hasMessageContaining("Nowhere");
  }

  @Test
  void scopeMembersResolveNesting() {
    assertThat(evaluator.scopeMembers(restrict(APP.value(), "crm-sync")))
        .extracting(DirectoryUser::id).containsExactlyInAnyOrder("alice", "bob", "dave");
  }
}
