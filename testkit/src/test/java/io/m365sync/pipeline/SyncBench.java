package io.m365sync.pipeline;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.SyncRound;
import io.m365sync.sync.WrittenSoFar;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.Set;

/**
 * One mailbox on the fake tenant, a durable state store, and crash injection around the CRM, the
 * gateway and the state store: runs syncer rounds directly, as the engine would.
 */
final class SyncBench {
  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final ModelUser user = m365.addUser("bench");
  final MailboxModel box = m365.mailbox(user);
  final Mailbox mailbox;
  final SyncStateStore durable = SyncStateStore.inMemory();
  final Crash crash = new Crash();
  final SyncStateStore state = new CrashingStateStore(durable, crash);
  final CrashingGateway gateway = new CrashingGateway(m365.gateway(), crash);
  int pageSize = 3;
  Duration past = Duration.ofDays(30);
  Duration future = Duration.ofDays(365);
  /** As the engine's default: a calendar larger than a page is read in 4 slices (here one after another). */
  int maxRequestsInFlight = 4;

  SyncBench(Set<Resource> resources) {
    mailbox = m365.signIn(user, resources);
    durable.putEnrollment(mailbox);
  }

  /** A round as the engine runs it (new fence, fresh token); a crash propagates. */
  ResourceResult round(ResourceSyncer<?> syncer) {
    return round(syncer, gateway, new WrittenSoFar());
  }

  /** A round through {@code through}, its writes before a failure set on {@code written}. */
  ResourceResult round(ResourceSyncer<?> syncer, MailboxGateway through, WrittenSoFar written) {
    m365.clock().advance(Duration.ofMinutes(1));
    long fence = durable.claimFence(mailbox.id());
    MailboxSession session = new MailboxSession(mailbox, m365.delegatedTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    return syncer.sync(new SyncRound(session, through, state, fence, m365.clock(), pageSize, past, future,
        maxRequestsInFlight, Runnable::run, () -> Integer.MAX_VALUE, written));
  }

  /** A round that may crash; returns null when it did. */
  ResourceResult roundSurvivingCrash(ResourceSyncer<?> syncer) {
    try {
      return round(syncer);
    } catch (Crash.CrashException e) {
      return null;
    } finally {
      crash.disarm();
    }
  }
}
