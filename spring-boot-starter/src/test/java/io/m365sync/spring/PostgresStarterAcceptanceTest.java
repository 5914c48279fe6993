package io.m365sync.spring;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link StarterAcceptance} on an embedded PostgreSQL server. */
class PostgresStarterAcceptanceTest extends StarterAcceptance {
  static final World WORLD = new World();
  static final EmbeddedPostgres POSTGRES = start();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry p) {
    WORLD.properties(p, POSTGRES.getJdbcUrl("postgres", "postgres"), "postgres");
  }

  @AfterAll
  static void stop() {
    WORLD.close();
  }

  @Override
  World world() {
    return WORLD;
  }

  /** Stopped at JVM exit: the application context (and its scheduler's polling) closes after {@code @AfterAll}. */
  private static EmbeddedPostgres start() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
      return postgres;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
