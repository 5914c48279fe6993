package io.m365sync.testkit.emulator;

import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.model.CloudModel;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A thin JUnit 5 binding for {@link M365Emulator}. Registered as a static field it runs one emulator
 * for the class; as an instance field, one per test. Test methods may take {@link M365Emulator} or
 * {@link CloudModel} parameters.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final M365EmulatorExtension M365 = new M365EmulatorExtension();
 *
 * @Test void reads(M365Emulator emulator) { ... M365.cloud().addTenant("contoso.com") ... }
 * }</pre>
 */
public final class M365EmulatorExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback, ParameterResolver {
  private final CloudModel cloud;
  private final MutableClock clock;
  private M365Emulator emulator;
  private boolean perClass;

  /** Serves a new cloud whose clock is a {@link MutableClock} starting at {@link MutableClock#startingNow()}. */
  public M365EmulatorExtension() {
    this.clock = MutableClock.startingNow();
    this.cloud = new CloudModel(clock);
  }

  /** Serves {@code cloud}. */
  public M365EmulatorExtension(CloudModel cloud) {
    this.cloud = cloud;
    this.clock = cloud.clock() instanceof MutableClock m ? m : null;
  }

  public CloudModel cloud() {
    return cloud;
  }

  /** The cloud's clock when it is a {@link MutableClock}; else throws. */
  public MutableClock clock() {
    if (clock == null) {
      throw new IllegalStateException("the cloud's clock is not a MutableClock");
    }
    return clock;
  }

  /** The running emulator. */
  public synchronized M365Emulator emulator() {
    if (emulator == null) {
      throw new IllegalStateException("the emulator runs only while a test does");
    }
    return emulator;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    perClass = true;
    emulator = new M365Emulator(cloud).start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (perClass && emulator != null) {
      emulator.close();
      emulator = null;
    }
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (emulator == null) {
      emulator = new M365Emulator(cloud).start();
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (!perClass && emulator != null) {
      emulator.close();
      emulator = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == M365Emulator.class || type == CloudModel.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == CloudModel.class ? cloud : emulator();
  }
}
