package io.m365sync.graph;

import io.m365sync.Mailbox;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.TokenStrategyContract;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;

/** The token contract for the delegated MSAL strategy, over HTTP against the emulator. */
class MsalDelegatedTokenStrategyContractTest extends TokenStrategyContract {
  @Override
  protected World newWorld() {
    EmulatorFixture fx = new EmulatorFixture();
    return new World() {
      @Override
      public TokenStrategy strategy() {
        return fx.delegated;
      }

      @Override
      public TenantModel tenant() {
        return fx.tenant;
      }

      @Override
      public MutableClock clock() {
        return fx.clock;
      }

      @Override
      public Mailbox enroll(ModelUser user) {
        return fx.signIn(user);
      }

      @Override
      public void unenroll(Mailbox mailbox) {
        fx.store.purge(mailbox.id());
        fx.delegated.forget(mailbox.id());
      }

      @Override
      public void close() {
        fx.close();
      }
    };
  }
}
