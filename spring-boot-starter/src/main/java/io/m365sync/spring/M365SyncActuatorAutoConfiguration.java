package io.m365sync.spring;

import io.m365sync.SyncEngine;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicator and the {@code m365sync} and {@code m365syncaudit} endpoints, each when its Spring Boot module is present. */
@AutoConfiguration(after = M365SyncAutoConfiguration.class)
@ConditionalOnBean(SyncEngine.class)
@EnableConfigurationProperties(M365SyncProperties.class)
public class M365SyncActuatorAutoConfiguration {

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "m365syncHealthIndicator")
    M365SyncHealthIndicator m365syncHealthIndicator(SyncEngine engine, M365SyncProperties properties) {
      return new M365SyncHealthIndicator(engine, properties.getHealth().isDownOnInactiveTenant());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    M365SyncEndpoint m365syncEndpoint(SyncEngine engine) {
      return new M365SyncEndpoint(engine);
    }

    @Bean
    @ConditionalOnMissingBean
    M365SyncAuditEndpoint m365syncAuditEndpoint(SyncEngine engine) {
      return new M365SyncAuditEndpoint(engine);
    }
  }
}
