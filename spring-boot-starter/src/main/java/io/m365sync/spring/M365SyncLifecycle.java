package io.m365sync.spring;

import io.m365sync.SyncEngine;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the engine's scheduler once the context is up and stops it (rounds in flight finish) before
 * the DataSource goes away. Without a scheduler the host drives {@code runCycle()} itself.
 */
public class M365SyncLifecycle implements SmartLifecycle {
  private final SyncEngine engine;
  private final boolean scheduled;
  private volatile boolean running;
  private boolean started;

  M365SyncLifecycle(SyncEngine engine, boolean scheduled) {
    this.engine = engine;
    this.scheduled = scheduled;
  }

  @Override
  public void start() {
    if (scheduled && !started) { // the engine starts once; a context restart does not start it again
      started = true;
      engine.start();
    }
    running = true;
  }

  @Override
  public void stop() {
    if (running && scheduled) {
      engine.close();
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
