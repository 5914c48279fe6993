package io.m365sync.examples;

import io.m365sync.Resource;
import io.m365sync.graph.AppCredential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Settings of the real-tenant runner, from environment variables ({@code M365SYNC_TENANT_ID}) or a
 * properties file ({@code m365sync.tenantId}). {@link #from} reports every problem at once, naming
 * the setting; secrets never appear in messages or {@link #toString()}.
 *
 * @param users object ids or UPNs of the mailboxes to sync (their owners signed in to the add-in)
 * @param graphBaseUrl Graph's base URL; the emulator's for tests
 * @param loginBaseUrl where MSAL's token requests go; null for Microsoft Entra itself
 */
public record RunnerConfig(String tenantId, String clientId, AppCredential credential, List<String> users,
                           Set<Resource> resources, Path crmDirectory, String graphBaseUrl, String loginBaseUrl) {

  private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** The settings, by their property key; the environment variable is {@code M365SYNC_} + upper snake case. */
  public static final List<String> KEYS = List.of("tenantId", "clientId", "clientSecret", "certificatePath",
      "certificatePassword", "privateKeyPath", "users", "resources", "crmDirectory", "graphBaseUrl", "loginBaseUrl");

  /** Reads settings from {@code source}, which answers property keys such as {@code m365sync.tenantId}. */
  public static RunnerConfig from(Function<String, String> source) {
    List<String> problems = new ArrayList<>();
    Reader r = new Reader(source);
    String tenant = r.required("tenantId", problems);
    String client = r.required("clientId", problems);
    if (client != null && !GUID.matcher(client).matches()) {
      problems.add(r.name("clientId") + " must be the app registration's Application (client) ID, a GUID, but was '"
          + client + "'");
    }
    AppCredential credential = credential(r, problems);
    List<String> users = r.list("users");
    if (users.isEmpty()) {
      problems.add(r.name("users") + " is required: the object ids or UPNs of mailboxes whose owners signed in to the add-in");
    }
    Set<Resource> resources = EnumSet.noneOf(Resource.class);
    for (String name : r.list("resources").isEmpty() ? List.of("EVENTS", "CONTACTS") : r.list("resources")) {
      try {
        resources.add(Resource.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        problems.add(r.name("resources") + " must list some of " + Arrays.toString(Resource.values()) + " but had '" + name + "'");
      }
    }
    String crmDir = r.value("crmDirectory");
    String graph = r.value("graphBaseUrl");
    String login = r.value("loginBaseUrl");
    for (String url : new String[] {graph, login}) {
      if (url != null && !url.startsWith("https://") && !url.startsWith("http://127.0.0.1:") && !url.startsWith("http://localhost:")) {
        problems.add("base URLs must be https (or http on loopback for the emulator) but got '" + url + "'");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new RunnerConfig(tenant, client, credential, users, resources, Path.of(crmDir == null ? "target/crm" : crmDir),
        graph == null ? "https://graph.microsoft.com/v1.0" : graph, login);
  }

  /** Environment variables first, then the properties. */
  public static Function<String, String> environmentThen(java.util.Properties properties) {
    return key -> {
      String env = System.getenv(Reader.envName(key));
      return env != null ? env : properties.getProperty(key);
    };
  }

  private static AppCredential credential(Reader r, List<String> problems) {
    String secret = r.value("clientSecret");
    String cert = r.value("certificatePath");
    if (secret != null && cert != null) {
      problems.add("set either " + r.name("clientSecret") + " or " + r.name("certificatePath") + ", not both");
      return null;
    }
    if (secret == null && cert == null) {
      problems.add(r.name("clientSecret") + " or " + r.name("certificatePath") + " is required");
      return null;
    }
    if (secret != null) {
      return AppCredential.secret(secret);
    }
    Path certPath = Path.of(cert);
    if (!Files.isReadable(certPath)) {
      problems.add(r.name("certificatePath") + " names a file that cannot be read: '" + cert + "'");
      return null;
    }
    String keyPath = r.value("privateKeyPath");
    try {
      if (cert.toLowerCase(Locale.ROOT).endsWith(".p12") || cert.toLowerCase(Locale.ROOT).endsWith(".pfx")) {
        String password = r.value("certificatePassword");
        return AppCredential.pkcs12(certPath, password == null ? new char[0] : password.toCharArray());
      }
      if (keyPath == null) {
        problems.add(r.name("privateKeyPath") + " is required with a PEM certificate");
        return null;
      }
      if (!Files.isReadable(Path.of(keyPath))) {
        problems.add(r.name("privateKeyPath") + " names a file that cannot be read: '" + keyPath + "'");
        return null;
      }
      return AppCredential.pem(Path.of(keyPath), certPath);
    } catch (RuntimeException e) {
      problems.add(r.name("certificatePath") + " could not be loaded from '" + cert + "': " + e.getMessage());
      return null;
    }
  }

  @Override
  public String toString() {
    return "RunnerConfig[tenantId=" + tenantId + ", clientId=" + clientId + ", credential=" + credential
        + ", users=" + users + ", resources=" + resources + ", graphBaseUrl=" + graphBaseUrl + "]";
  }

  private record Reader(Function<String, String> source) {
    static String envName(String key) {
      return "M365SYNC_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    String name(String key) {
      return "'" + envName(key) + "' (m365sync." + key + ")";
    }

    String value(String key) {
      String v = source.apply("m365sync." + key);
      return v == null || v.isBlank() ? null : v.trim();
    }

    String required(String key, List<String> problems) {
      String v = value(key);
      if (v == null) {
        problems.add(name(key) + " is required");
      }
      return v;
    }

    List<String> list(String key) {
      String v = value(key);
      return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
  }
}
