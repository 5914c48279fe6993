package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A mail user as the directory and Exchange know it.
 *
 * @param id the Entra object id (the {@code oid} of a mailbox)
 * @param userPrincipalName the UPN
 * @param attributes recipient attributes usable in management scope filters, e.g. {@code Department},
 *     {@code City}, {@code CountryOrRegion}, {@code CustomAttribute1}; names are case-insensitive
 */
public record DirectoryUser(String id, String userPrincipalName, Map<String, String> attributes) {
  public DirectoryUser {
    Checks.requireText(id, "id");
    Checks.requireText(userPrincipalName, "userPrincipalName");
    TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    copy.putAll(Checks.requireNonNull(attributes, "attributes"));
    attributes = java.util.Collections.unmodifiableMap(copy);
  }

  public DirectoryUser(String id, String userPrincipalName) {
    this(id, userPrincipalName, Map.of());
  }

  /** The attribute's value, case-insensitive name; empty when unset. */
  public Optional<String> attribute(String name) {
    return Optional.ofNullable(attributes.get(name.toLowerCase(Locale.ROOT)));
  }
}
