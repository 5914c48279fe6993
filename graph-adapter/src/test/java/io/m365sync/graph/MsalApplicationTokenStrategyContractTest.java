package io.m365sync.graph;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.TokenStrategyContract;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;

/** The token contract for the application MSAL strategy, over HTTP against the emulator. */
class MsalApplicationTokenStrategyContractTest extends TokenStrategyContract {
  @Override
  protected World newWorld() {
    EmulatorFixture fx = new EmulatorFixture();
    fx.grantApplication(Resource.values());
    return new World() {
      @Override
      public TokenStrategy strategy() {
        return fx.application;
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
        return fx.mailbox(user);
      }

      @Override
      public void unenroll(Mailbox mailbox) {
        fx.store.purge(mailbox.id());
        fx.application.forget(mailbox.id());
      }

      @Override
      public void close() {
        fx.close();
      }
    };
  }
}
