package io.m365sync.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.SyncOptions;
import io.m365sync.notify.ChangeNotifications;
import java.io.IOException;
import java.io.InputStream;
import java.beans.PropertyDescriptor;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Every {@link SyncOptions} key binds under {@code m365sync.*}, means what {@code fromProperties} reads, and has metadata. */
class M365SyncPropertiesTest {
  /** A value other than the default for every option: a new option fails here until the starter binds it. */
  private static final Map<String, String> NON_DEFAULT = Map.ofEntries(
      Map.entry("cycleInterval", "PT7M"), Map.entry("maxConcurrentMailboxes", "3"), Map.entry("maxRequestsPerMailbox", "2"),
      Map.entry("accessDecisionTtl", "PT2H"), Map.entry("applicationRetryInterval", "PT3H"),
      Map.entry("failureBackoff", "PT2M"), Map.entry("maxFailureBackoff", "PT9H"),
      Map.entry("unavailableRecheck", "PT8H"), Map.entry("signInNotify", "WEEKLY"), Map.entry("pageSize", "250"),
      Map.entry("eventWindowPast", "P10D"), Map.entry("eventWindowFuture", "P100D"), Map.entry("maxRetryAfter", "PT30M"),
      Map.entry("unscopedDelegatedOnly", "true"), Map.entry("credentialExpiryWarning", "P5D"),
      Map.entry("keepAliveInterval", "PT12H"), Map.entry("auditRetention", "P90D"));

  @Test
  void everySyncOptionBindsInKebabCaseAsFromPropertiesReadsIt() {
    assertThat(NON_DEFAULT.keySet()).containsExactlyInAnyOrderElementsOf(SyncOptions.KEYS);
    Map<String, String> kebab = new HashMap<>();
    NON_DEFAULT.forEach((k, v) -> kebab.put("m365sync." + kebab(k), v));
    M365SyncProperties bound = new Binder(new MapConfigurationPropertySource(kebab))
        .bind("m365sync", Bindable.ofInstance(new M365SyncProperties())).get();

    SyncOptions options = bound.toSyncOptions();

    assertThat(options).isEqualTo(SyncOptions.fromProperties(k -> NON_DEFAULT.get(k.substring("m365sync.".length()))));
    SyncOptions defaults = SyncOptions.defaults();
    for (var c : SyncOptions.class.getRecordComponents()) {
      assertThat(invoke(c, options)).as(c.getName()).isNotEqualTo(invoke(c, defaults));
    }
  }

  @Test
  void unboundPropertiesKeepTheEngineDefaults() {
    assertThat(new M365SyncProperties().toSyncOptions()).isEqualTo(SyncOptions.defaults());
  }

  @Test
  void everySyncOptionHasConfigurationMetadataForIdeCompletion() throws IOException {
    String metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("spring-boot-configuration-processor output").isNotNull();
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String key : SyncOptions.KEYS) {
      assertThat(metadata).contains("\"name\": \"m365sync." + kebab(key) + "\"");
    }
    for (String key : List.of("client-id", "msal.route-token-requests-to", "graph.base-url", "scheduler.polling-interval",
        "token-cache.key", "two-way", "notifications.url", "notifications.debounce", "notifications.safety-net-interval",
        "notifications.renewal-margin", "notifications.renewal-jitter")) {
      assertThat(metadata).contains("\"name\": \"m365sync." + key + "\"");
    }
  }

  @Test
  void unboundNotificationSettingsKeepTheEngineDefaults() {
    M365SyncProperties.Notifications n = new M365SyncProperties().getNotifications();
    n.setUrl(URI.create("https://crm.example.com/hooks"));
    assertThat(n.toChangeNotifications()).isEqualTo(ChangeNotifications.to(URI.create("https://crm.example.com/hooks")));
  }

  /** The README's table of {@code m365sync.notifications.*} (in its Spring Boot section) cannot drift from the properties: every one, once, with its default. */
  @Test
  void theReadmeTableListsEveryNotificationPropertyWithItsDefault() throws IOException {
    Pattern row = Pattern.compile("^\\|\\s*`m365sync\\.notifications\\.([a-z-]+)`\\s*\\|([^|]+)\\|.+\\|\\s*$");
    Map<String, String> rows = new HashMap<>();
    List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
    int start = readme.indexOf("### Change notifications in Spring Boot");
    assertThat(start).as("README has a '### Change notifications in Spring Boot' section").isNotNegative();
    for (String line : readme.subList(start + 1, readme.size())) {
      if (line.startsWith("#")) {
        break;
      }
      Matcher m = row.matcher(line);
      if (m.matches()) {
        assertThat(rows.put(m.group(1), m.group(2).trim())).as("%s listed twice", m.group(1)).isNull();
      }
    }
    BeanWrapper defaults = new BeanWrapperImpl(new M365SyncProperties().getNotifications());
    Map<String, String> expected = new HashMap<>();
    for (PropertyDescriptor p : defaults.getPropertyDescriptors()) {
      if (p.getWriteMethod() != null) {
        Object value = defaults.getPropertyValue(p.getName());
        expected.put(kebab(p.getName()), value == null ? null : "`" + value + "`");
      }
    }
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach((key, value) -> {
      if (value == null) {
        assertThat(rows.get(key)).as("README default of %s (unset)", key).doesNotContain("`");
      } else {
        assertThat(rows.get(key)).as("README default of %s", key).isEqualTo(value);
      }
    });
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static Object invoke(java.lang.reflect.RecordComponent c, SyncOptions o) {
    try {
      return c.getAccessor().invoke(o);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
