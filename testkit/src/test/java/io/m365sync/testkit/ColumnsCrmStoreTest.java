package io.m365sync.testkit;

import io.m365sync.crm.CrmStore;
import io.m365sync.model.Contact;
import java.util.List;
import java.util.Map;

/** A store with columns for only some fields passes the contract too. */
class ColumnsCrmStoreTest extends CrmStoreContract<Contact> {
  @Override
  protected CrmStore<Contact> newStore() {
    return InMemoryCrmStore.keeping("contact", c -> new Contact(c.givenName(), c.surname(), null, c.emailAddresses(),
        List.of(), c.companyName(), null, Map.of()));
  }

  @Override
  protected Contact item(int n) {
    return new Contact("Ada" + n, "Lovelace", null, List.of("ada" + n + "@example.com"), List.of("+44 20 7946 000" + n),
        "Analytical Engines", "Countess", Map.of("crm.accountId", "4" + n));
  }

  @Override
  protected Contact changed(Contact item) {
    return new Contact(item.givenName(), "King", null, item.emailAddresses(), item.phones(), item.companyName(),
        item.jobTitle(), item.extensions());
  }
}
