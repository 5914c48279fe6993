package io.m365sync.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Boundaries between the published modules, checked over every module's classes at once (this
 * module depends on all of them): core's {@code internal} packages are core's own business, and the
 * vendor SDKs stay in the graph adapter.
 */
class ModuleBoundariesTest {
  private static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.m365sync");

  @Test
  void nothingOutsideCoreUsesCoresInternals() {
    noClasses().that().resideOutsideOfPackages("io.m365sync", "io.m365sync.access..", "io.m365sync.auth..",
            "io.m365sync.internal..", "io.m365sync.model..", "io.m365sync.gateway..", "io.m365sync.crm..",
            "io.m365sync.sync..", "io.m365sync.schedule..", "io.m365sync.state..", "io.m365sync.notify..")
        .should().dependOnClassesThat().resideInAPackage("io.m365sync.internal..")
        .because("io.m365sync.internal holds what core's own packages share; other modules use the public API")
        .check(ALL);
  }

  @Test
  void vendorTypesStayInTheGraphAdapter() {
    noClasses().that().resideOutsideOfPackage("io.m365sync.graph..")
        .should().dependOnClassesThat().resideInAnyPackage("com.microsoft.graph..", "com.microsoft.aad.msal4j..",
            "com.microsoft.kiota..")
        .because("Graph SDK and MSAL types never cross a module boundary")
        .check(ALL);
  }
}
