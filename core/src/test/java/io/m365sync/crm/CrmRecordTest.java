package io.m365sync.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.model.Contact;
import org.junit.jupiter.api.Test;

/**
 * A CRM id the library cannot keep as given is refused where the host hands it over, before a push
 * notes it and creates its item in Microsoft 365: a store writing UTF-8 would keep another id, and the
 * created item would be linked to no record (and created again).
 */
class CrmRecordTest {
  static final Contact ADA = Contact.of("Ada", "Lovelace", "ada@example.com");

  @Test
  void anIdWithAnUnpairedSurrogateIsRefusedNamingItAndWhere() {
    assertThatThrownBy(() -> new CrmRecord<>("crm-\ud800", 1, ADA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'crmId'").hasMessageContaining("unpaired UTF-16 surrogate at index 4");
    assertThatThrownBy(() -> new CrmRecord<>("\udc00crm", 1, ADA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at index 0");
  }

  @Test
  void idsBeyondTheBmpAndBlankIds() {
    assertThat(new CrmRecord<>("crm-\ud83d\ude00-1", 1, ADA).crmId()).isEqualTo("crm-\ud83d\ude00-1");
    assertThatThrownBy(() -> new CrmRecord<>(" ", 1, ADA)).hasMessageContaining("'crmId' must not be blank");
  }
}
