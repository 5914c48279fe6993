package io.m365sync.testkit;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.util.EnumSet;

class FakeDelegatedTokenStrategyContractTest extends TokenStrategyContract {
  @Override
  protected World newWorld() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    return new World() {
      @Override
      public TokenStrategy strategy() {
        return m365.delegatedTokens();
      }

      @Override
      public TenantModel tenant() {
        return m365.tenant();
      }

      @Override
      public MutableClock clock() {
        return m365.clock();
      }

      @Override
      public Mailbox enroll(ModelUser user) {
        return m365.signIn(user, EnumSet.allOf(Resource.class));
      }

      @Override
      public void unenroll(Mailbox mailbox) {
        m365.delegatedTokens().forget(mailbox.id());
      }
    };
  }
}
