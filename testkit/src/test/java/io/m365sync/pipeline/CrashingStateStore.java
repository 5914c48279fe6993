package io.m365sync.pipeline;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.notify.Subscription;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import io.m365sync.testkit.ForwardingSyncStateStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A state store whose cursor and id-map writes die when its {@link Crash} fires. */
final class CrashingStateStore extends ForwardingSyncStateStore {
  private final Crash crash;

  CrashingStateStore(SyncStateStore delegate, Crash crash) {
    super(delegate);
    this.crash = crash;
  }

  @Override
  public void putCursor(CursorKey key, String cursor, long fence) {
    crash.around("state.putCursor", () -> delegate.putCursor(key, cursor, fence));
  }

  @Override
  public void removeCursor(CursorKey key, long fence) {
    crash.around("state.removeCursor", () -> delegate.removeCursor(key, fence));
  }

  @Override
  public void putLink(IdLink link, long fence) {
    crash.around("state.putLink", () -> delegate.putLink(link, fence));
  }

  @Override
  public void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    crash.around("state.removeLink", () -> delegate.removeLink(mailbox, resource, crmId, fence));
  }
}
