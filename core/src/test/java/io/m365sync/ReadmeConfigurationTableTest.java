package io.m365sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference cannot drift from {@link SyncOptions}: it lists exactly
 * {@link SyncOptions#KEYS}, one row per key, and each row's default is what {@link SyncOptions#defaults()} holds.
 */
class ReadmeConfigurationTableTest {
  private static final Path README = Path.of("..", "README.md");
  /** A row: | `m365sync.key` | `default` | meaning | */
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`m365sync\\.([A-Za-z]+)`\\s*\\|\\s*`([^`]*)`\\s*\\|.+\\|\\s*$");

  @Test
  void theTableListsEveryOptionOnce() throws IOException {
    assertThat(table().keySet()).containsExactlyInAnyOrderElementsOf(SyncOptions.KEYS);
  }

  @Test
  void eachDefaultInTheTableIsTheOptionsDefault() throws IOException {
    for (Map.Entry<String, String> row : table().entrySet()) {
      String key = "m365sync." + row.getKey();
      SyncOptions read = SyncOptions.fromProperties(k -> k.equals(key) ? row.getValue() : null);
      assertThat(read).as("README default of %s (%s)", key, row.getValue()).isEqualTo(SyncOptions.defaults());
    }
  }

  /** Key to default, from the rows under the "## Configuration" heading; a key listed twice fails. */
  static Map<String, String> table() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int start = lines.indexOf("## Configuration");
    assertThat(start).as("README has a '## Configuration' section").isNotNegative();
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        assertThat(rows.put(m.group(1), m.group(2))).as("%s listed twice", m.group(1)).isNull();
      } else {
        assertThat(line).as("an option row the test cannot read").doesNotStartWith("| `m365sync.");
      }
    }
    return rows;
  }
}
