/**
 * The port to the host's CRM: a host implements {@link io.m365sync.crm.CrmStore} for each resource it syncs,
 * storing items under its own ids as {@link io.m365sync.crm.CrmRecord}s and, for two-way resources, reporting
 * what its users changed as {@link io.m365sync.crm.CrmChanges}; the testkit's contract test says what a store
 * must keep.
 */
package io.m365sync.crm;
