/**
 * The item records a host's CRM stores and reads: {@link io.m365sync.model.CalendarEvent},
 * {@link io.m365sync.model.Contact}, {@link io.m365sync.model.MailMessage},
 * {@link io.m365sync.model.TodoTask} and {@link io.m365sync.model.MailboxSettings} with their value types,
 * all immutable and free of Graph SDK types; a host builds them with their builders and {@code with...}
 * methods, keeps its own fields in the extension map (keys under {@code m365sync.} are the engine's, see
 * {@link io.m365sync.model.SyncItems}), and names a resource with {@link io.m365sync.model.ResourceType}.
 */
package io.m365sync.model;
