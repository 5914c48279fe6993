package io.m365sync.pipeline;

import io.m365sync.pipeline.MailCapturePropertiesTest.Arrive;
import io.m365sync.pipeline.MailCapturePropertiesTest.Copy;
import io.m365sync.pipeline.MailCapturePropertiesTest.CrashNextSync;
import io.m365sync.pipeline.MailCapturePropertiesTest.Run;
import io.m365sync.pipeline.MailCapturePropertiesTest.Step;
import io.m365sync.pipeline.MailCapturePropertiesTest.Sync;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Found by {@link MailCapturePropertiesTest}: a copy of a message (same Internet Message-ID) was
 * captured a second time when the round that captured the message died after writing its link but
 * before writing the Message-ID marker, or after the CRM save while the copy sits in a folder read
 * first (incremental rounds only: a full round looks for twins). Shrunk history: a message and a copy of it arrive in the Inbox, the round dies right after
 * the link write, the next round creates a second CRM record from the copy. Here: a crash at every
 * call of the capturing round, before and after it took effect.
 */
class MailCopyAcrossCrashTest {

  static List<Arguments> crashes() {
    return java.util.stream.IntStream.rangeClosed(1, 12).boxed()
        .flatMap(k -> java.util.stream.Stream.of(Arguments.of(k, true), Arguments.of(k, false))).toList();
  }

  @ParameterizedTest(name = "crash at call {0}, after effect: {1}")
  @MethodSource("crashes")
  void aCopyInTheSameRoundIsNotCapturedTwice(int k, boolean after) {
    // a first round holds delta links; message 1 and a copy of it arrive in the Inbox, new in the crashing round
    new Run().play(List.<Step>of(new Sync(), new Arrive(1, 0), new Copy(0, 0), new CrashNextSync(k, after), new Sync()));
  }

  @ParameterizedTest(name = "crash at call {0}, after effect: {1}")
  @MethodSource("crashes")
  void aCopyLandingInAFolderReadFirstIsNotCapturedTwice(int k, boolean after) {
    // a first round holds delta links; message 1 arrives in Sent Items; the round dies; a copy lands in the Inbox, which the next round reads first
    new Run().play(List.<Step>of(new Sync(), new Arrive(1, 1), new CrashNextSync(k, after), new Sync(), new Copy(0, 0), new Sync()));
  }
}
