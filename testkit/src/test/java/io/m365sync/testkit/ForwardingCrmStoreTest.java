package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.m365sync.crm.CrmStore;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** What the forwarding CRM store hands on (FlakyCrmStoreTest runs the contract through it). */
class ForwardingCrmStoreTest {
  /** A default method added to the interface later must be forwarded too, or a watched store loses it. */
  @Test
  void everyMethodOfTheInterfaceIsForwarded() throws NoSuchMethodException {
    for (Method m : CrmStore.class.getMethods()) {
      Method impl = ForwardingCrmStore.class.getMethod(m.getName(), m.getParameterTypes());
      assertEquals(ForwardingCrmStore.class, impl.getDeclaringClass(), m.getName() + " is not forwarded");
    }
  }
}
