package io.m365sync.graph;

import io.m365sync.Mailbox;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.testkit.MailboxGatewayContract;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Instant;

/** The Graph adapter, with the real SDK over HTTP against the emulator, passes the gateway contract the fake passes. */
class GraphMailboxGatewayContractTest extends MailboxGatewayContract {

  @Override
  protected Subject newSubject() {
    EmulatorFixture fx = new EmulatorFixture();
    ModelUser user = fx.tenant.addUser("amy");
    Mailbox mailbox = fx.signIn(user);
    MailboxSession session = fx.session(mailbox, fx.delegated);
    for (io.m365sync.Resource r : io.m365sync.Resource.values()) {
      fx.app.addApplicationPermissions(r.applicationPermission());
    }
    fx.app.grantAdminConsent();
    MailboxSession appSession = fx.appSession(mailbox);
    return new Subject() {
      @Override
      public MailboxGateway gateway() {
        return fx.gateway;
      }

      @Override
      public MailboxSession session() {
        return session;
      }

      @Override
      public MailboxSession applicationSession() {
        return appSession;
      }

      @Override
      public TenantModel tenant() {
        return fx.tenant;
      }

      @Override
      public MailboxModel mailbox() {
        return fx.tenant.mailbox(user);
      }

      @Override
      public String userId() {
        return user.objectId();
      }

      @Override
      public Instant now() {
        return fx.clock.instant();
      }

      @Override
      public void close() {
        fx.close();
      }
    };
  }
}
