package io.m365sync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The house rules of DESIGN.md, enforced. */
class ArchitectureTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.m365sync");

  @Test
  void coreNeverSeesGraphSdkOrMsalTypes() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("com.microsoft..", "com.azure..", "okhttp3..")
        .because("vendor types stay in the graph-adapter module")
        .check(CORE);
  }

  @Test
  void coreNeverSeesAWebServer() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("com.sun.net.httpserver..", "jakarta.servlet..",
            "javax.servlet..", "org.springframework..")
        .because("the notification receiver is framework-free; web adapters live outside core")
        .check(CORE);
  }

  @Test
  void theEngineCreatesNoThreadsOfItsOwn() {
    noClasses().that().resideInAnyPackage("io.m365sync.internal..")
        .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "java.lang.Thread")
        .because("the engine uses the host's executor, never threads of its own")
        .check(CORE);
  }

  @Test
  void noHiddenTimeSourcesInTheEngine() {
    noClasses().that().resideInAnyPackage("io.m365sync.internal..", "io.m365sync.model..",
            "io.m365sync.gateway..", "io.m365sync.crm..", "io.m365sync.sync..", "io.m365sync.state..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Thread.class, "sleep", long.class)
        .orShould().callMethod(java.time.Instant.class, "now")
        .because("time comes from the injected Clock")
        .check(CORE);
  }
}
