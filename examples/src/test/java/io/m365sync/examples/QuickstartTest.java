package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuickstartTest {
  @Test
  void tellsTheWholeStoryWithTheExactStatusWords() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Quickstart(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
    String out = bytes.toString(StandardCharsets.UTF_8);
    String[] steps = out.split("\nStep ");

    assertThat(steps).hasSize(5);
    assertThat(steps[1]).contains("ACTIVE").doesNotContain("NEEDS_SIGN_IN");
    assertThat(lines(steps[2], "NEEDS_SIGN_IN")).isEqualTo(4);
    assertThat(steps[2]).contains("please sign in to the CRM add-in again (AADSTS700082)");
    assertThat(lines(steps[3], "APPLICATION")).isEqualTo(4);
    assertThat(steps[3]).contains("tenant application mode: ACTIVE; missing permissions: []");
    assertThat(steps[4]).contains("DENIED_BY_POLICY").contains("requests that reached erin's mailbox (never signed in): 0");
    assertThat(lines(steps[4], "dave@contoso.com")).isEqualTo(1);
    assertThat(steps[4].lines().filter(l -> l.contains("dave@")).findFirst().orElseThrow())
        .contains("DELEGATED").contains("DENIED_BY_POLICY").contains(" 4 ");
  }

  private static long lines(String text, String word) {
    return text.lines().filter(l -> l.contains(word)).count();
  }
}
