package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.Optional;

/**
 * A directory group.
 *
 * @param id the Entra object id
 * @param displayName for reports
 * @param mail the primary SMTP address; null for groups without mail
 * @param kind what Exchange thinks of it
 */
public record DirectoryGroup(String id, String displayName, String mail, GroupKind kind) {
  public DirectoryGroup {
    Checks.requireText(id, "id");
    Checks.requireText(displayName, "displayName");
    Checks.requireNonNull(kind, "kind");
  }

  public Optional<String> mailAddress() {
    return Optional.ofNullable(mail);
  }

  /** How PowerShell lines should name the group: its mail address when it has one, else its object id. */
  public String identity() {
    return mail != null ? mail : id;
  }
}
