package io.m365sync.auth;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.access.AccessDecision;

/**
 * What the engine knows when it picks a mode for one resource of one mailbox.
 *
 * @param applicationEnabled the tenant enabled application permission
 * @param applicationHealthy the tenant's app-only token works right now
 * @param applicationUnhealthyReason why not, when not healthy; may be null
 * @param applicationPermitted the verified application permissions cover this resource
 * @param accessDecision the cached access decision for app-only access; null when not asked yet
 * @param delegatedAlive the user's delegated token is not known to be dead
 */
public record SelectionContext(Mailbox mailbox, Resource resource, Purpose purpose, boolean applicationEnabled,
                               boolean applicationHealthy, String applicationUnhealthyReason,
                               boolean applicationPermitted, AccessDecision accessDecision, boolean delegatedAlive) {}
