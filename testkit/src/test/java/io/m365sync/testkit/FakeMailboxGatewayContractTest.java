package io.m365sync.testkit;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Instant;
import java.util.EnumSet;

/** The in-process fake passes the gateway contract (the Graph adapter passes it over the emulator). */
class FakeMailboxGatewayContractTest extends MailboxGatewayContract {

  @Override
  protected Subject newSubject() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("amy");
    Mailbox mailbox = m365.signIn(user, EnumSet.allOf(Resource.class));
    MailboxSession session = new MailboxSession(mailbox, m365.delegatedTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    m365.grantApplicationPermissions(Resource.values());
    MailboxSession appSession = new MailboxSession(mailbox, m365.applicationTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    return new Subject() {
      @Override
      public MailboxGateway gateway() {
        return m365.gateway();
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
        return m365.tenant();
      }

      @Override
      public MailboxModel mailbox() {
        return m365.mailbox(user);
      }

      @Override
      public String userId() {
        return user.objectId();
      }

      @Override
      public Instant now() {
        return m365.clock().instant();
      }
    };
  }
}
