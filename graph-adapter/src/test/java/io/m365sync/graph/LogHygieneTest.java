package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs last: everything the module's tests printed (debug logging on, see simplelogger.properties)
 * must not contain any access token, refresh token, authorization code, client secret or private
 * key the tests used.
 */
@Order(Integer.MAX_VALUE)
class LogHygieneTest {

  @Test
  void capturedOutputHoldsNoSecret() {
    Captured.install();
    String text = Captured.text();
    assertThat(Captured.SECRETS).as("secrets registered by earlier tests").isNotEmpty();
    for (String secret : Captured.SECRETS) {
      assertThat(text.contains(secret)).as("captured output contains a secret starting %s…", secret.substring(0, 4)).isFalse();
    }
  }
}
