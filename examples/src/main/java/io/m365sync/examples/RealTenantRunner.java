package io.m365sync.examples;

import io.m365sync.CycleReport;
import io.m365sync.M365SyncException;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.TenantId;
import io.m365sync.crm.CrmStore;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * Runs one application-mode sync cycle against a real tenant (or the emulator, in tests) into JSON
 * files, for an admin checking a setup. Settings: {@link RunnerConfig} — environment variables
 * {@code M365SYNC_TENANT_ID}, {@code M365SYNC_CLIENT_ID}, {@code M365SYNC_CLIENT_SECRET} or
 * {@code M365SYNC_CERTIFICATE_PATH}, {@code M365SYNC_USERS}, … or a properties file given as the
 * first argument. A wrong setting ends with one line naming it, never a stack trace.
 *
 * <pre>
 * M365SYNC_TENANT_ID=contoso.onmicrosoft.com M365SYNC_CLIENT_ID=… M365SYNC_CLIENT_SECRET=… \
 * M365SYNC_USERS=alice@contoso.com,bob@contoso.com \
 *   mvn -q -pl examples exec:java -Dexec.mainClass=io.m365sync.examples.RealTenantRunner
 * </pre>
 */
public final class RealTenantRunner {
  private final PrintStream out;
  private final Clock clock;

  RealTenantRunner(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  public static void main(String[] args) {
    System.exit(new RealTenantRunner(System.out, Clock.systemUTC()).runMain(args, System.err));
  }

  /** Returns the process exit code: 0 done, 1 sync failure, 2 configuration error. */
  int runMain(String[] args, PrintStream err) {
    Properties props = new Properties();
    if (args.length > 0) {
      try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
        props.load(in);
      } catch (IOException e) {
        err.println("m365sync: configuration error: properties file '" + args[0] + "' cannot be read: " + e.getMessage());
        return 2;
      }
    }
    return execute(RunnerConfig.environmentThen(props), err);
  }

  /** Reads the settings from {@code source} and runs; every failure ends as lines on {@code err}. */
  int execute(Function<String, String> source, PrintStream err) {
    try {
      run(RunnerConfig.from(source));
      return 0;
    } catch (ConfigurationException e) {
      e.problems().forEach(p -> err.println("m365sync: configuration error: " + p));
      return 2;
    } catch (M365SyncException e) {
      err.println("m365sync: " + e.getMessage());
      return 1;
    }
  }

  /** One cycle over the configured mailboxes in application mode; returns its report. */
  CycleReport run(RunnerConfig config) {
    TenantId tenant = TenantId.of(config.tenantId());
    MsalApplicationTokenStrategy.Builder app = MsalApplicationTokenStrategy.builder()
        .clientId(config.clientId()).credential(config.credential()).clock(clock);
    if (config.loginBaseUrl() != null) {
      app.routeTokenRequestsTo(URI.create(config.loginBaseUrl()));
    }
    SyncEngine.Builder builder = SyncEngine.builder()
        .clock(clock)
        .stateStore(SyncStateStore.inMemory())
        .gateway(GraphMailboxGateway.builder().baseUrl(config.graphBaseUrl()).build())
        .applicationTokens(app.build())
        .listener(new SyncListener() {
          // a long first sync shows its progress resource by resource
          @Override
          public void resourceSynced(Mailbox mailbox, ResourceResult r, java.time.Duration took) {
            out.printf("  %s %s: %s, %d to the CRM, %d unreadable skipped (%.1f s)%n", mailbox.userPrincipalName(),
                r.resource(), r.outcome(), r.applied(), r.warnings(), took.toMillis() / 1000.0);
          }
        });
    List<JsonFileCrmStore<?>> crm = new ArrayList<>();
    for (Resource r : config.resources()) {
      builder.resource(oneWay(ResourceType.of(r), config.crmDirectory(), crm));
    }
    SyncEngine engine = builder.build();
    engine.setApplicationPermissionEnabled(tenant, true);
    List<Mailbox> mailboxes = new ArrayList<>();
    for (String user : config.users()) {
      // the host vouches that these users signed in to the add-in: the enrollment gate still applies
      Mailbox m = new Mailbox(new MailboxId(tenant, user), user.contains("@") ? user : user + "@" + tenant,
          "crm-" + user, clock.instant(), config.resources());
      mailboxes.add(m);
      engine.enroll(m);
    }
    out.printf("Syncing %d mailbox(es) of tenant %s in application mode into %s%n", mailboxes.size(), tenant,
        config.crmDirectory().toAbsolutePath());
    CycleReport report = engine.runCycle();
    var status = engine.tenantStatus(tenant);
    out.printf("Application mode: %s%s%n", status.appMode(), status.reason() == null ? "" : " (" + status.reason() + ")");
    new StatusTable(out, engine, id -> crm.stream().mapToInt(c -> c.list(id).size()).sum()).print(mailboxes, List.of());
    return report;
  }

  private static <T extends SyncItem> io.m365sync.sync.ResourceSyncer<T> oneWay(ResourceType<T> type, Path dir,
                                                                                     List<JsonFileCrmStore<?>> all) {
    JsonFileCrmStore<T> store = JsonFileCrmStore.open(dir.resolve("crm-" + type.resource().name().toLowerCase() + ".json"),
        type.itemClass(), type.resource().name().toLowerCase());
    all.add(store);
    return ResourceSyncers.oneWay(type, (CrmStore<T>) store);
  }

}
