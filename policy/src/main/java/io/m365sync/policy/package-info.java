/**
 * Permission verification, Exchange application access policy / RBAC for Applications models and
 * checks, and the admin readiness report ("doctor").
 *
 * <ul>
 *   <li>{@link io.m365sync.policy.PermissionMatrix} and {@link io.m365sync.policy.DirectoryPermissionVerifier}:
 *       which Graph permissions the enabled resources need and what the directory actually grants.
 *   <li>{@link io.m365sync.policy.AccessPolicySet} and {@link io.m365sync.policy.AccessPolicyEvaluator}:
 *       Exchange's evaluation of application access policies and RBAC for Applications, answering like
 *       {@code Test-ApplicationAccessPolicy} / {@code Test-ServicePrincipalAuthorization}.
 *   <li>{@link io.m365sync.policy.DeclaredAccessPolicyCheck}: the engine's {@code AccessPolicyCheck},
 *       with propagation windows and drift between declared and observed decisions.
 *   <li>{@link io.m365sync.policy.ReadinessDoctor}: one call that walks a tenant's setup and tells the
 *       admin what to fix.
 * </ul>
 *
 * <p>The directory is reached only through {@link io.m365sync.policy.DirectoryReader}; the Graph
 * adapter implements it, tests use an in-memory fake. No Graph SDK types appear here.
 */
package io.m365sync.policy;
