package io.m365sync.graph;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's rule "Graph SDK and MSAL types never cross a module boundary", enforced:
 *
 * <ul>
 *   <li>the public API of {@code io.m365sync.graph} (public and protected members of public types)
 *       mentions no {@code com.microsoft.*} or {@code com.azure.*} type — not as a parameter,
 *       return type, type argument, exception or field. The one vendor type allowed is
 *       {@code okhttp3.OkHttpClient} (gateway and directory builders, {@code defaultHttpClient()}):
 *       hosts pass their proxy, TLS and connection-pool settings through it, and it is OkHttp's,
 *       not Microsoft's;</li>
 *   <li>no other module's main code depends on {@code com.microsoft.*} (bytecode of core, policy and
 *       testkit, which are on this module's classpath; source of every module, including jdbc and
 *       examples, which are not).</li>
 * </ul>
 */
class GraphAdapterArchitectureTest {
  private static final Set<String> ALLOWED_VENDOR_TYPES = Set.of("okhttp3.OkHttpClient");

  private static final JavaClasses GRAPH = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPath(classesOf(GraphMailboxGateway.class));

  /** The main classes of core, policy and testkit (jars or directories on the test classpath). */
  private static final JavaClasses OTHER_MODULES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(location -> !location.contains("/graph-adapter/"))
      .importPackages("io.m365sync");

  private static Path classesOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final DescribedPredicate<JavaMember> PUBLIC_API = DescribedPredicate.describe(
      "public or protected members of public io.m365sync.graph types",
      m -> m.getOwner().getModifiers().contains(JavaModifier.PUBLIC) && isPublicApiOwner(m.getOwner())
          && (m.getModifiers().contains(JavaModifier.PUBLIC) || m.getModifiers().contains(JavaModifier.PROTECTED)));

  private static boolean isPublicApiOwner(JavaClass c) {
    for (JavaClass x = c; x != null; x = x.getEnclosingClass().orElse(null)) {
      if (!x.getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
    }
    return c.getPackageName().equals("io.m365sync.graph");
  }

  private static boolean vendor(JavaClass t) {
    String name = t.getName();
    return (name.startsWith("com.microsoft.") || name.startsWith("com.azure.") || name.startsWith("okhttp3.")
        || name.startsWith("okio.") || name.startsWith("kotlin.")) && !ALLOWED_VENDOR_TYPES.contains(name);
  }

  private static final ArchCondition<JavaMember> EXPOSE_NO_VENDOR_TYPES = new ArchCondition<>(
      "expose no com.microsoft.* / com.azure.* types (okhttp3.OkHttpClient excepted)") {
    @Override
    public void check(JavaMember member, ConditionEvents events) {
      Set<JavaClass> involved = new LinkedHashSet<>();
      List<JavaType> types = new ArrayList<>();
      if (member instanceof JavaCodeUnit u) {
        types.add(u.getReturnType());
        types.addAll(u.getParameterTypes());
        u.getThrowsClause().getTypes().forEach(types::add);
      } else if (member instanceof JavaField f) {
        types.add(f.getType());
      }
      types.forEach(t -> involved.addAll(t.getAllInvolvedRawTypes()));
      involved.stream().filter(GraphAdapterArchitectureTest::vendor).forEach(t ->
          events.add(SimpleConditionEvent.violated(member, member.getFullName() + " exposes " + t.getName())));
    }
  };

  @Test
  void importsTheModulesMainClasses() {
    assertThat(GRAPH.stream().map(JavaClass::getSimpleName))
        .contains("GraphMailboxGateway", "GraphDirectoryReader", "MsalApplicationTokenStrategy")
        .doesNotContain("EmulatorFixture", "GraphAdapterArchitectureTest");
    assertThat(OTHER_MODULES.stream().map(JavaClass::getPackageName))
        .contains("io.m365sync", "io.m365sync.policy", "io.m365sync.testkit.emulator")
        .doesNotContain("io.m365sync.graph");
  }

  @Test
  void publicApiExposesNoMicrosoftTypes() {
    codeUnits().that(PUBLIC_API).should(EXPOSE_NO_VENDOR_TYPES)
        .because("callers of the adapter speak core and policy records; Graph SDK and MSAL types stay inside")
        .check(GRAPH);
    fields().that(PUBLIC_API).should(EXPOSE_NO_VENDOR_TYPES).allowEmptyShould(true).check(GRAPH);
  }

  @Test
  void theOkHttpClientSeamIsTheOnlyVendorTypeAndItIsThere() {
    // the exception is deliberate and documented; if it disappears, drop it from ALLOWED_VENDOR_TYPES
    assertThat(GRAPH.get(GraphMailboxGateway.class).getMethods()).anySatisfy(m ->
        assertThat(m.getRawReturnType().getName()).isEqualTo("okhttp3.OkHttpClient"));
  }

  @Test
  void noOtherModulesMainCodeDependsOnMicrosoftTypes() {
    noClasses().that().resideOutsideOfPackage("io.m365sync.graph..")
        .should().dependOnClassesThat().resideInAnyPackage("com.microsoft..")
        .because("DESIGN.md: Graph SDK and MSAL types live in graph-adapter only")
        .check(OTHER_MODULES);
  }

  /** Source scan, for the modules not on this classpath (jdbc, examples) and as a second net for the rest. */
  @Test
  void noOtherModulesMainSourceMentionsMicrosoftPackages() {
    Path root = Path.of("").toAbsolutePath().getParent();
    Pattern reference = Pattern.compile("\\bcom\\.microsoft\\.(graph|aad|kiota)\\b");
    List<String> offenders = new ArrayList<>();
    int scanned = 0;
    for (String module : List.of("core", "policy", "jdbc", "testkit", "examples")) {
      Path src = root.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(src)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          scanned++;
          if (reference.matcher(Files.readString(f)).find()) {
            offenders.add(root.relativize(f).toString());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(scanned).as("main sources found under " + root).isGreaterThan(50);
    assertThat(offenders).as("main code outside graph-adapter naming com.microsoft.graph/aad/kiota").isEmpty();
  }
}
