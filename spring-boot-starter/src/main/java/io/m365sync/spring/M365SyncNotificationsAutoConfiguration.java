package io.m365sync.spring;

import io.m365sync.SyncEngine;
import io.m365sync.notify.ChangeNotifications;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The change-notification route ({@link M365SyncNotificationHandler}), when notifications are on
 * (a {@link ChangeNotifications} bean, from {@code m365sync.notifications.url}) and the application
 * is a servlet web application. A host behind Spring Security must let Graph's unauthenticated
 * {@code POST} through on that path, without a CSRF token: the receiver checks each item's
 * {@code clientState} instead.
 */
@AutoConfiguration(after = M365SyncAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(RouterFunction.class)
@ConditionalOnBean({SyncEngine.class, ChangeNotifications.class})
public class M365SyncNotificationsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "m365syncNotificationRoute")
  RouterFunction<ServerResponse> m365syncNotificationRoute(SyncEngine engine) {
    return M365SyncNotificationHandler.route(engine.notificationReceiver());
  }
}
