package io.m365sync.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The testkit's own tests are written as a host would write them: the examples module checks every
 * module's main classes, and this checks the test classes here, which no other module sees.
 */
class TestkitBoundariesTest {
  /** This module's test classes: the directory (or jar) this class was loaded from. */
  private static final JavaClasses TESTS = new ClassFileImporter()
      .importUrl(TestkitBoundariesTest.class.getProtectionDomain().getCodeSource().getLocation());

  @Test
  void testkitTestsUseOnlyThePublicApi() {
    noClasses().should().dependOnClassesThat().resideInAPackage("io.m365sync.internal..")
        .because("io.m365sync.internal is core's own business; the testkit's tests exercise what a host can use")
        .check(TESTS);
  }
}
