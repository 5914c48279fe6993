package io.m365sync.gateway;

/** What Microsoft 365 answered to a create or update: the item's id and its new change key. */
public record WriteResult(String remoteId, String changeKey) {}
