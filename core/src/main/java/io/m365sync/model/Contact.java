package io.m365sync.model;

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

  /** A builder for a new contact. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this contact's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder().givenName(givenName).surname(surname).displayName(displayName).emailAddresses(emailAddresses)
        .phones(phones).companyName(companyName).jobTitle(jobTitle).extensions(extensions);
  }

  public Contact withJobTitle(String newJobTitle) {
    return toBuilder().jobTitle(newJobTitle).build();
  }

  /** A copy with a new surname; the display name is derived again from the given name and surname. */
  public Contact withSurname(String newSurname) {
    return toBuilder().surname(newSurname).displayName(null).build();
  }

  public Contact withCompanyName(String newCompanyName) {
    return toBuilder().companyName(newCompanyName).build();
  }

  public Contact withPhones(List<String> newPhones) {
    return toBuilder().phones(newPhones).build();
  }

  @Override
  public Contact withExtensions(Map<String, String> newExtensions) {
    return toBuilder().extensions(newExtensions).build();
  }

  /**
   * Builds a {@link Contact} by name; a null display name is derived from the given name and surname.
   * Not thread-safe.
   */
  public static final class Builder {
    private String givenName;
    private String surname;
    private String displayName;
    private List<String> emailAddresses = List.of();
    private List<String> phones = List.of();
    private String companyName;
    private String jobTitle;
    private Map<String, String> extensions = Map.of();

    private Builder() {}

    public Builder givenName(String v) { givenName = v; return this; }
    public Builder surname(String v) { surname = v; return this; }
    public Builder displayName(String v) { displayName = v; return this; }
    public Builder emailAddresses(List<String> v) { emailAddresses = v; return this; }
    public Builder email(String v) { emailAddresses = v == null ? List.of() : List.of(v); return this; }
    public Builder phones(List<String> v) { phones = v; return this; }
    public Builder companyName(String v) { companyName = v; return this; }
    public Builder jobTitle(String v) { jobTitle = v; return this; }
    public Builder extensions(Map<String, String> v) { extensions = v; return this; }

    public Contact build() {
      return new Contact(givenName, surname, displayName, emailAddresses, phones, companyName, jobTitle, extensions);
    }
  }

  @Override
  public String matchKey() {
    return emailAddresses.isEmpty() ? "name:" + displayName : "mail:" + emailAddresses.get(0).toLowerCase(java.util.Locale.ROOT);
  }
}
