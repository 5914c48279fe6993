package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

@Order(4)
class BatchPollerTest {
  private final EmulatorFixture fx = new EmulatorFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void pollsManyMailboxesInBatchesOf20AndAFailedStepIsNeverAnEmptyPageNorAsksItsMailboxAgain() {
    fx.grantApplication(Resource.values());
    List<DeltaProbe<?>> polls = new ArrayList<>();
    List<ModelUser> users = new ArrayList<>();
    Instant start = fx.clock.instant().plus(Duration.ofDays(1));
    for (int i = 0; i < 12; i++) {
      ModelUser u = fx.tenant.addUser("b" + i);
      users.add(u);
      fx.tenant.mailbox(u).contacts().create(Contact.of("C", "" + i, "c" + i + "@example.com"));
      fx.tenant.mailbox(u).calendar().create(CalendarEvent.simple("E" + i, start, start.plusSeconds(3600)));
      Mailbox m = fx.mailbox(u);
      MailboxSession s = fx.appSession(m);
      polls.add(new DeltaProbe<>(s, ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 50)));
      polls.add(new DeltaProbe<>(s, ResourceType.EVENTS, new DeltaRequest(null, null, start.minusSeconds(86400),
          start.plusSeconds(86400), 50)));
    }
    polls.add(new DeltaProbe<>(fx.appSession(fx.mailbox(users.get(0))), ResourceType.MAILBOX_SETTINGS,
        new DeltaRequest(null, null, null, null, 1)));
    fx.tenant.addFault(FaultRule.fail("contacts", users.get(3).objectId(), 1, GraphError.throttled(Duration.ofSeconds(30))));
    fx.emulator.clearRecordedRequests();

    List<BatchedDelta<?>> results = fx.gateway.deltaBatch(polls);

    assertThat(fx.emulator.recordedRequests()).filteredOn(r -> r.path().endsWith("$batch")).hasSize(2);
    assertThat(results).hasSize(25);
    assertThat(results.get(6).ok()).isFalse();
    assertThat(results.get(6).page()).isNull();
    assertThat(results.get(6).failure()).isInstanceOfSatisfying(ThrottledException.class,
        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
    assertThat(results.get(7).notSent()).as("the same mailbox's next step is not run after a failure").isTrue();
    assertThat(fx.emulator.recordedRequests()).as("one body per batch, each step chained to its mailbox's previous one")
        .filteredOn(r -> r.path().endsWith("$batch")).allMatch(r -> r.body().contains("\"dependsOn\""));
    for (int i = 0; i < 24; i++) {
      if (i != 6 && i != 7) {
        assertThat(results.get(i).ok()).as("step %d: %s", i, results.get(i).failure()).isTrue();
        assertThat(results.get(i).page().changes()).hasSize(1);
        assertThat(results.get(i).page().more()).isFalse();
      }
    }
    assertThat(results.get(24).page().changes()).hasSize(1);
  }
}
