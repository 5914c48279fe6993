package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store keeps every commit that returned when its process is killed (SIGKILL): H2's
 * default writes commits in the background and lost the last second of them. The store writes its
 * commits to the file in groups, after its writer moved on; the host's commits on the store's
 * {@code dataSource()} are written as they return.
 */
class H2FileKillTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"store", "host"})
  void aKilledProcessLosesNoCommitThatReturned(String writers, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("state");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writer = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", FailoverTest.nodeClasspath(), H2FileWriter.class.getName(), file.toString(), writers)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    boolean host = writers.equals("host");
    int expected = host ? 1 : H2FileWriter.WRITERS;
    Map<String, Long> confirmed = new HashMap<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        confirm(confirmed, line);
        if (confirmed.size() == expected && confirmed.values().stream().allMatch(n -> n >= 1_000)) {
          writer.toHandle().destroyForcibly(); // SIGKILL while they keep committing; the output stays readable
          break;
        }
      }
      while ((line = out.readLine()) != null) { // what they confirmed before the signal landed
        confirm(confirmed, line);
      }
    } finally {
      writer.destroyForcibly();
      writer.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(confirmed).as("writers that confirmed commits").hasSize(expected);

    try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(file)) {
      if (!host) {
        for (int w = 0; w < H2FileWriter.WRITERS; w++) {
          long stored = Long.parseLong(store.cursor(H2FileWriter.key(w)).orElse("0"));
          assertThat(stored).as("writer %d's last commit on file", w)
              .isGreaterThanOrEqualTo(confirmed.get(Integer.toString(w)));
        }
        return;
      }
      try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT COUNT(*), MAX(n) FROM " + H2FileWriter.HOST_TABLE)) {
        rs.next();
        assertThat(rs.getLong(2)).as("the host's last commit on file").isGreaterThanOrEqualTo(confirmed.get("host"));
        assertThat(rs.getLong(1)).as("no gap in the host's commits").isEqualTo(rs.getLong(2));
      }
    }
  }

  private static void confirm(Map<String, Long> confirmed, String line) {
    String[] parts = line.trim().split(" ");
    confirmed.merge(parts[0], Long.parseLong(parts[1]), Math::max);
  }
}
