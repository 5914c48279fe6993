package io.m365sync;

/**
 * A Microsoft Entra tenant, by its directory id (GUID) or verified domain name.
 *
 * @param value the tenant id as Entra knows it; never blank
 */
public record TenantId(String value) {
  public TenantId {
    Checks.requireText(value, "tenantId");
    if (value.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
      throw new IllegalArgumentException("'tenantId' must not contain whitespace or '/' but was '" + value + "'");
    }
  }

  public static TenantId of(String value) {
    return new TenantId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
