package io.m365sync.policy;

import io.m365sync.TenantId;

/** Hands out the {@link DirectoryReader} of a tenant. Thread-safe. */
@FunctionalInterface
public interface DirectorySource {
  DirectoryReader directory(TenantId tenant);
}
