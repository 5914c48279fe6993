package io.m365sync.resource;

import java.util.List;
import java.util.Map;

/** A personal contact in the user's mailbox. */
public record Contact(String givenName, String surname, String displayName, List<String> emailAddresses,
                      List<String> phones, String companyName, String jobTitle,
                      Map<String, String> extensions) implements SyncItem {
  public Contact {
    emailAddresses = Items.list(emailAddresses);
    phones = Items.list(phones);
    extensions = Items.map(extensions);
    if (displayName == null) {
      displayName = ((givenName == null ? "" : givenName) + " " + (surname == null ? "" : surname)).trim();
    }
  }

  public static Contact of(String givenName, String surname, String email) {
    return new Contact(givenName, surname, null, email == null ? List.of() : List.of(email), List.of(),
        null, null, Map.of());
  }

  public Contact withJobTitle(String newJobTitle) {
    return new Contact(givenName, surname, displayName, emailAddresses, phones, companyName, newJobTitle, extensions);
  }

  @Override
  public String matchKey() {
    return emailAddresses.isEmpty() ? "name:" + displayName : "mail:" + emailAddresses.get(0).toLowerCase(java.util.Locale.ROOT);
  }
}
