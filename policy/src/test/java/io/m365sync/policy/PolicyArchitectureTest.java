package io.m365sync.policy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** DESIGN.md's house rules for the policy module, enforced on its main classes. */
class PolicyArchitectureTest {
  private static final JavaClasses POLICY = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPath(classesOf(DeclaredAccessPolicyCheck.class));

  /** The directory (or jar) a class was loaded from: policy's main or test classes, nothing else. */
  private static Path classesOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void importsTheMainClassesOnly() {
    assertThat(POLICY.stream().map(JavaClass::getSimpleName))
        .contains("DeclaredAccessPolicyCheck", "DirectoryPermissionVerifier", "ReadinessDoctor")
        .doesNotContain("TenantModelDirectory", "FakeDirectory", "PolicyArchitectureTest");
  }

  @Test
  void noGraphSdkMsalOrAzureTypes() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("com.microsoft..", "com.azure..", "okhttp3..")
        .because("vendor types stay in the graph-adapter module; policy speaks its own records through ports")
        .check(POLICY);
  }

  @Test
  void mainCodeNeverDependsOnTheTestkit() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.m365sync.testkit..")
        .because("testkit is a test-scope dependency of policy; the tenant model adapter lives in test sources")
        .check(POLICY);
  }

  @Test
  void theTestkitRuleIsNotVacuous() {
    JavaClasses withTests = new ClassFileImporter().importPath(classesOf(PolicyArchitectureTest.class));

    assertThat(noClasses().should().dependOnClassesThat().resideInAnyPackage("io.m365sync.testkit..").evaluate(withTests)
        .hasViolation()).as("the test-source adapter does depend on testkit").isTrue();
  }

  @Test
  void mainCodeNeverDependsOnTheEngineInternals() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.m365sync.internal..")
        .because("policy plugs into core through its SPIs only")
        .check(POLICY);
  }

  @Test
  void noHiddenTimeSourcesOrThreads() {
    noClasses().should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(java.time.Instant.class, "now")
        .orShould().callMethod(Thread.class, "sleep", long.class)
        .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
        .because("time comes from the injected Clock and threads from the host")
        .check(POLICY);
  }

  @Test
  void noTestFrameworksInMainCode() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.assertj..", "org.mockito..")
        .check(POLICY);
  }
}
