package io.m365sync.testkit;

import io.m365sync.crm.CrmStore;
import io.m365sync.model.Contact;

class FlakyCrmStoreTest extends CrmStoreContract<Contact> {
  @Override
  protected CrmStore<Contact> newStore() {
    return new FlakyCrmStore<>("contact");
  }

  @Override
  protected Contact item(int n) {
    return Contact.of("Ada" + n, "Lovelace", "ada" + n + "@example.com");
  }

  @Override
  protected Contact changed(Contact item) {
    return item.withJobTitle("CTO");
  }
}
