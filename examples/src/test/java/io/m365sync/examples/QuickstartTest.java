package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {
  @TempDir
  Path dir;

  @Test
  void tellsTheWholeStoryWithTheExactStatusWords() {
    String out = run();
    String[] steps = out.split("\nStep ");

    assertThat(steps).hasSize(6);
    assertThat(lines(steps[1], "DELEGATED    ACTIVE")).isEqualTo(4);
    assertThat(lines(steps[2], "NEEDS_SIGN_IN")).isEqualTo(4);
    assertThat(steps[2]).contains("please sign in to the CRM add-in again (AADSTS700082)");
    assertThat(lines(steps[3], "APPLICATION  ACTIVE")).isEqualTo(4);
    assertThat(steps[3]).contains("tenant application mode: ACTIVE; missing permissions: []");
    assertThat(steps[4].lines().filter(l -> l.contains("dave@")).findFirst().orElseThrow())
        .contains("DELEGATED").contains("DENIED_BY_POLICY").contains(" 4 ");
    assertThat(lines(steps[4], "APPLICATION  ACTIVE")).isEqualTo(3);
    assertThat(steps[4]).contains("requests that reached erin's mailbox (never signed in): 0");
    assertThat(steps[5]).contains("push-fed mailbox-resources: 8 of 8")
        .contains("alice saves 'Pricing review with Fabrikam' in Outlook: in the CRM ")
        .contains("a round of 1 Graph request)");
    assertThat(delaySeconds(steps[5])).as("the debounce, then one round").isBetween(2.0, 30.0);
    assertThat(steps[5].lines().filter(l -> l.contains("alice@")).findFirst().orElseThrow()).contains(" 6 ");
    assertThat(steps[5]).contains("CRM records: 18, duplicates: 0").contains("run again to resume");
  }

  @Test
  void aSecondRunResumesWithFewerRequestsAndNoDuplicates() {
    String first = run();
    String second = run();

    assertThat(second).doesNotContain("Step 1").doesNotContain("Step 5").contains("Step 6: A second run");
    assertThat(lines(second, "APPLICATION  ACTIVE")).isEqualTo(3);
    assertThat(second.lines().filter(l -> l.contains("bob@")).findFirst().orElseThrow()).contains(" 5 ");
    assertThat(second.lines().filter(l -> l.contains("dave@")).findFirst().orElseThrow()).contains("DENIED_BY_POLICY");
    assertThat(second).contains("CRM records: 19, duplicates: 0");
    assertThat(graphRequests(second)).isLessThan(graphRequests(first) / 2);
  }

  private static double delaySeconds(String step) {
    String line = step.lines().filter(l -> l.contains("in the CRM ")).findFirst().orElseThrow();
    return Double.parseDouble(line.replaceAll(".*in the CRM (\\d+\\.\\d+) s later.*", "$1"));
  }

  private static long graphRequests(String out) {
    String line = out.lines().filter(l -> l.contains("Graph requests in this run:")).findFirst().orElseThrow();
    return Long.parseLong(line.replaceAll(".*Graph requests in this run: (\\d+);.*", "$1"));
  }

  private String run() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Quickstart(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir).run();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static long lines(String text, String word) {
    return text.lines().filter(l -> l.contains(word)).count();
  }
}
