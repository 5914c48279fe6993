package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Resource;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermissionMatrixTest {

  @ParameterizedTest
  @CsvSource({
      "EVENTS,           DELEGATED,   Calendars.ReadWrite,       true",
      "EVENTS,           APPLICATION, Calendars.ReadWrite,       true",
      "CONTACTS,         APPLICATION, Contacts.ReadWrite,        true",
      "MAIL,             APPLICATION, Mail.ReadWrite,            true",
      "MAILBOX_SETTINGS, APPLICATION, MailboxSettings.ReadWrite, true",
      "TASKS,            DELEGATED,   Tasks.ReadWrite,           false",
      "TASKS,            APPLICATION, Tasks.ReadWrite.All,       false",
  })
  void permissionPerResourceAndMode(Resource resource, AuthMode mode, String permission, boolean scopable) {
    assertThat(PermissionMatrix.permission(resource, mode)).isEqualTo(permission);
    if (mode == AuthMode.APPLICATION) {
      assertThat(PermissionMatrix.scopable(permission)).isEqualTo(scopable);
    }
  }

  @org.junit.jupiter.api.Test
  void leastSetKeepsDelegatedAndAddsOfflineAccess() {
    PermissionSet set = PermissionMatrix.leastSet(EnumSet.of(Resource.MAIL, Resource.TASKS), true);

    assertThat(set.delegated()).containsExactly("Mail.ReadWrite", "Tasks.ReadWrite", "offline_access");
    assertThat(set.application()).containsExactly("Mail.ReadWrite", "Tasks.ReadWrite.All");
    assertThat(set.application()).doesNotContain("Tasks.ReadWrite");
    assertThat(PermissionMatrix.leastSet(Set.of(Resource.MAIL), false).application()).isEmpty();
  }
}
