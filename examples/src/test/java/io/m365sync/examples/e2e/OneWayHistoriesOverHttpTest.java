package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.SyncOptions;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.OneWayContactHistories.Step;
import io.m365sync.testkit.OneWayContactHistories;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A sample of the one-way histories of {@code OneWaySyncPropertiesTest} (same generator, same oracle:
 * {@link OneWayContactHistories}) over HTTP: each history gets a fresh emulator on 127.0.0.1 and the
 * production adapters — a delegated sign-in through MSAL4J and the Graph SDK gateway — instead of the
 * in-memory fakes.
 */
class OneWayHistoriesOverHttpTest {

  @Provide
  Arbitrary<List<Step>> histories() {
    return OneWayContactHistories.histories();
  }

  // the fake property's seed, pinned so that CI runs the same 50 histories every time
  @Property(tries = 50, seed = "-5731399115109806362")
  void afterQuiescenceTheCrmMirrorsTheMailboxExactlyOnceOverHttp(@ForAll("histories") List<Step> history) {
    try (E2eWorld w = new E2eWorld()) {
      OneWayContactHistories.check(history, w.clock, w.box.contacts(), crm -> {
        Mailbox m = w.signIn(SyncOptions.defaults().withPageSize(3), ResourceSyncers.oneWay(ResourceType.CONTACTS, crm));
        return new OneWayContactHistories.Target(w.engine(), m.id());
      });
      assertThat(w.emulator.internalErrors()).isEmpty();
    }
  }
}
