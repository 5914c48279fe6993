package io.m365sync.spring;

import org.junit.jupiter.api.AfterAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link StarterAcceptance} on an in-memory H2 database. */
class H2StarterAcceptanceTest extends StarterAcceptance {
  static final World WORLD = new World();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry p) {
    WORLD.properties(p, "jdbc:h2:mem:spring-starter;DB_CLOSE_DELAY=-1", "sa");
  }

  @AfterAll
  static void stop() {
    WORLD.close();
  }

  @Override
  World world() {
    return WORLD;
  }
}
