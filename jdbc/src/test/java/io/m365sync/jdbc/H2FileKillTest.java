package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store keeps every commit that returned when its process is killed (SIGKILL): H2's
 * default writes commits in the background and lost the last second of them.
 */
class H2FileKillTest {
  @Test
  void aKilledProcessLosesNoCommitThatReturned(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("state");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writer = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", FailoverTest.nodeClasspath(), H2FileWriter.class.getName(), file.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    long confirmed = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        confirmed = Long.parseLong(line.trim());
        if (confirmed == 2_000) {
          writer.toHandle().destroyForcibly(); // SIGKILL while it keeps committing; its output stays readable
          break;
        }
      }
      while ((line = out.readLine()) != null) { // what it confirmed before the signal landed
        confirmed = Long.parseLong(line.trim());
      }
    } finally {
      writer.destroyForcibly();
      writer.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(confirmed).as("commits the writer confirmed").isGreaterThanOrEqualTo(2_000);

    try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(file)) {
      long stored = Long.parseLong(store.cursor(H2FileWriter.KEY).orElse("0"));
      assertThat(stored).as("the last commit on file").isGreaterThanOrEqualTo(confirmed);
    }
  }
}
