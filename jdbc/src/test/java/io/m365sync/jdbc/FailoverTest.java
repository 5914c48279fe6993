package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.CalendarEvent;
import io.m365sync.state.CursorKey;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.TenantSettings;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import io.m365sync.testkit.model.TenantModel;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 3: two CRM nodes in two JVMs ({@link FailoverNode}, started with {@code ProcessBuilder})
 * share one PostgreSQL and one Microsoft 365 (the testkit's emulator over loopback HTTP, reached
 * through the real MSAL4J and Graph SDK). While mailboxes change, the node in the middle of a
 * mailbox round is killed ({@code kill -9}); the other takes over within heartbeat × (limit + 2) +
 * polling (+ slack), no mailbox ever runs on two nodes at once (checked on the nodes' run log), CRM
 * and Microsoft 365 converge with nothing lost or duplicated, and a late write from the dead node
 * (its fence, replayed through a store in this JVM) is rejected.
 */
class FailoverTest {
  static final Duration HEARTBEAT = Duration.ofSeconds(1);
  static final int MISSED_HEARTBEATS = 4;
  static final Duration POLLING = Duration.ofMillis(500);
  /** heartbeat × (limit + 2) + polling, as {@link DbSchedulerSyncScheduler#takeoverTime()}. */
  static final Duration TAKEOVER = HEARTBEAT.multipliedBy(MISSED_HEARTBEATS + 2L).plus(POLLING);
  /** A shared 2-vCPU machine: JIT, GC and neighbours' builds. */
  static final Duration SLACK = Duration.ofSeconds(4);
  static final Duration CRM_WRITE_DELAY = Duration.ofMillis(200);
  static final String CLIENT_ID = "5a0c7f2e-3b1d-4e6f-9a8b-7c6d5e4f3a2b";
  static final int MAILBOXES = 6;
  static final int SEEDED = 8;

  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final CloudModel cloud = new CloudModel(clock);
  private final TenantModel tenant = cloud.addTenant("contoso.com");
  private final Map<String, Process> nodes = new LinkedHashMap<>();
  private final AtomicBoolean writing = new AtomicBoolean(true);
  private M365Emulator emulator;
  private Thread writer;

  @AfterEach
  void stopEverything() throws Exception {
    writing.set(false);
    if (writer != null) {
      writer.join(5_000);
    }
    for (Process p : nodes.values()) {
      p.destroyForcibly();
      p.waitFor();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  @Test
  void killingTheNodeMidRoundHandsItsMailboxesOverWithoutOverlapLossOrDuplicates() throws Exception {
    DataSource ds = TestDatabases.postgresSchemaPooled();
    String schema = currentSchema(ds);
    JdbcSyncStateStore store = JdbcSyncStateStore.create(ds);
    FailoverCrmEvents.createTables(ds);

    // Microsoft 365: the CRM's app with application permission for calendars, mailboxes with events
    byte[] s = new byte[24];
    new SecureRandom().nextBytes(s);
    String secret = "sec~" + Base64.getUrlEncoder().withoutPadding().encodeToString(s);
    AppRegistration app = tenant.registerApp(CLIENT_ID, "Contoso CRM").addSecret(secret, clock.instant().plus(Duration.ofDays(365)));
    app.addApplicationPermissions(Resource.EVENTS.applicationPermission());
    app.grantAdminConsent();
    emulator = new M365Emulator(cloud).maxRecordedRequests(0).start();
    TenantId tenantId = TenantId.of(tenant.tenantId());
    store.putTenantSettings(new TenantSettings(tenantId, true));

    List<ModelUser> users = new ArrayList<>();
    List<MailboxId> ids = new ArrayList<>();
    for (int m = 0; m < MAILBOXES; m++) {
      ModelUser u = tenant.addUser("user" + m);
      users.add(u);
      for (int k = 0; k < SEEDED; k++) {
        calendar(u).create(event("seed-" + m + "-" + k, k));
      }
      MailboxId id = new MailboxId(tenantId, u.objectId());
      ids.add(id);
      store.putEnrollment(new Mailbox(id, u.userPrincipalName(), "crm-" + m, clock.instant(), EnumSet.of(Resource.EVENTS)));
    }
    DbSchedulerSyncScheduler registrar = DbSchedulerSyncScheduler.builder(ds).jitter(Duration.ofMillis(500)).build();
    assertThat(registrar.enrolledAll(ids)).isEqualTo(MAILBOXES);
    registrar.close();

    // two nodes, and Microsoft 365 keeps changing under them
    String url = TestDatabases.postgres().getJdbcUrl("postgres", "postgres");
    String classpath = nodeClasspath();
    for (String name : List.of("node-a", "node-b")) {
      nodes.put(name, startNode(name, url, schema, secret, classpath));
    }
    AtomicInteger changes = new AtomicInteger();
    writer = new Thread(() -> keepChanging(users, changes), "m365-writer");
    writer.start();
    awaitSql(ds, "SELECT COUNT(*) >= 2 FROM failover_node", Duration.ofSeconds(60), "both nodes are up");

    // kill -9 the node that is in the middle of a mailbox round (waiting on a CRM write)
    String victim = null;
    String victimMailbox = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (victim == null) {
      assertThat(System.nanoTime()).as("a node was seen mid-round").isLessThan(deadline);
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT p.node, p.mailbox_key FROM failover_phase p JOIN failover_run r ON r.node = p.node"
              + " AND r.mailbox_key = p.mailbox_key AND r.ended_at IS NULL"
              + " WHERE p.until_at > clock_timestamp() + interval '100 milliseconds'"
              + " AND EXISTS (SELECT 1 FROM failover_run d WHERE d.ended_at IS NOT NULL)"
              + " ORDER BY p.node LIMIT 1");
           ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          victim = rs.getString(1);
          victimMailbox = rs.getString(2);
          Process p = nodes.get(victim);
          p.destroyForcibly();
          p.waitFor();
        }
      }
      if (victim == null) {
        Thread.sleep(20);
      }
    }
    Instant killedAt = dbNow(ds);
    String dead = victim;
    String survivor = victim.equals("node-a") ? "node-b" : "node-a";
    MailboxId victimId = parse(victimMailbox);
    long deadFence = fence(ds, victimMailbox);
    List<String> orphaned = openRuns(ds, victim);
    assertThat(orphaned).as("the victim was mid-round").contains(victimMailbox);

    // the survivor revives every mailbox the victim was running, in time
    Duration worst = Duration.ZERO;
    for (String mailbox : orphaned) {
      Instant taken = awaitFirstRunAfter(ds, survivor, mailbox, killedAt, TAKEOVER.plus(SLACK).plusSeconds(10));
      Duration took = Duration.between(killedAt, taken);
      worst = took.compareTo(worst) > 0 ? took : worst;
    }
    System.out.printf("failover: killed %s mid-round on %s; %s took over %d mailbox(es), slowest after %d ms"
        + " (bound %d ms + %d ms slack)%n", victim, victimMailbox, survivor, orphaned.size(), worst.toMillis(),
        TAKEOVER.toMillis(), SLACK.toMillis());
    assertThat(worst).as("takeover after kill -9").isLessThanOrEqualTo(TAKEOVER.plus(SLACK));

    // the dead node's late write, replayed with its fence, changes nothing
    CursorKey victimCursor = new CursorKey(victimId, Resource.EVENTS, "");
    // the survivor's run row is written just before its round claims the fence: give the claim a moment
    long fenceDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (fence(ds, victimMailbox) <= deadFence && System.nanoTime() < fenceDeadline) {
      Thread.sleep(20);
    }
    assertThat(fence(ds, victimMailbox)).as("the survivor claimed a newer fence").isGreaterThan(deadFence);
    assertThatThrownBy(() -> store.putCursor(victimCursor, "late-write-from-" + dead, deadFence))
        .isInstanceOf(FencedOutException.class);
    assertThatThrownBy(() -> store.putLink(new IdLink(victimId, Resource.EVENTS, "999999", "late-remote", "ck", 1),
        deadFence)).isInstanceOf(FencedOutException.class);
    // the fence is checked before the link is looked up: the victim's round may have linked nothing yet
    assertThatThrownBy(() -> store.removeLink(victimId, Resource.EVENTS, "999999", deadFence))
        .isInstanceOf(FencedOutException.class);

    // Microsoft 365 stops changing; one more round of every mailbox on the survivor brings the CRM level
    writing.set(false);
    writer.join(5_000);
    Instant stoppedAt = dbNow(ds);
    for (MailboxId id : ids) {
      awaitCompletedRunAfter(ds, survivor, id.key(), stoppedAt, Duration.ofSeconds(20));
    }

    assertThat(store.cursor(victimCursor)).isPresent().get().asString().doesNotStartWith("late-write");
    int items = 0;
    for (int m = 0; m < MAILBOXES; m++) {
      MailboxId id = ids.get(m);
      List<String> remote = calendar(users.get(m)).all().stream().map(x -> describe(x.item())).sorted().toList();
      List<CrmRecord<CalendarEvent>> crm = FailoverCrmEvents.list(ds, id);
      List<String> local = crm.stream().map(r -> describe(r.item())).sorted().toList();
      assertThat(local).as("CRM of mailbox %d mirrors Microsoft 365: nothing lost, nothing duplicated", m)
          .isEqualTo(remote);
      assertThat(store.links(id, Resource.EVENTS).stream().map(IdLink::remoteId).sorted().toList())
          .as("id map of mailbox %d", m)
          .isEqualTo(calendar(users.get(m)).all().stream().map(StoredItem::id).sorted().toList());
      items += remote.size();
    }
    assertThat(changes.get()).as("Microsoft 365 changed during the test").isGreaterThan(5);

    List<String> overlaps = overlaps(ds, victim, killedAt);
    assertThat(overlaps).as("runs of one mailbox on two nodes at once").isEmpty();
    System.out.printf("failover: %d items in %d mailboxes converged after %d changes; %d runs logged, 0 overlaps%n",
        items, MAILBOXES, changes.get(), count(ds, "SELECT COUNT(*) FROM failover_run"));
  }

  // ---------------------------------------------------------------- Microsoft 365 side

  private ItemCollection<CalendarEvent> calendar(ModelUser u) {
    return tenant.mailbox(u).calendar();
  }

  private CalendarEvent event(String subject, int day) {
    Instant start = clock.instant().plus(Duration.ofDays(day + 1)).plus(Duration.ofMinutes(day * 7L));
    return CalendarEvent.simple(subject, start, start.plus(Duration.ofMinutes(30)));
  }

  private static String describe(CalendarEvent e) {
    return e.subject() + "@" + e.start() + "/" + e.end();
  }

  /** Creates, renames and deletes events in random mailboxes until told to stop. */
  private void keepChanging(List<ModelUser> users, AtomicInteger changes) {
    Random random = new Random(7);
    int n = 0;
    while (writing.get()) {
      ItemCollection<CalendarEvent> cal = calendar(users.get(random.nextInt(users.size())));
      List<StoredItem<CalendarEvent>> all = cal.all();
      int dice = random.nextInt(10);
      if (dice < 6 || all.size() < 3) {
        cal.create(event("live-" + n, 1 + random.nextInt(60)));
      } else if (dice < 8) {
        StoredItem<CalendarEvent> x = all.get(random.nextInt(all.size()));
        cal.update(x.id(), null, x.item().withSubject("renamed-" + n));
      } else {
        cal.delete(all.get(random.nextInt(all.size())).id(), null);
      }
      n++;
      changes.incrementAndGet();
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // ---------------------------------------------------------------- nodes

  /**
   * The test classpath for the node JVMs, with this project's snapshot jars copied aside first: other
   * builds on a shared machine re-install them into the local repository while this test runs, and a
   * node must not load half its classes from one build and half from the next.
   */
  static String nodeClasspath() throws Exception {
    String declared = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path aside = Files.createDirectories(Path.of("target", "failover-classpath"));
    List<String> entries = new ArrayList<>();
    for (String entry : declared.split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      if (name.startsWith("m365sync-") && name.endsWith("-SNAPSHOT.jar") && Files.isRegularFile(p)) {
        Path copy = aside.resolve(name);
        Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        entries.add(copy.toAbsolutePath().toString());
      } else {
        entries.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  private Process startNode(String name, String url, String schema, String secret, String classpath) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Path.of("target", "failover-" + name + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", classpath, FailoverNode.class.getName(), name, url, schema, emulator.loginBaseUrl(),
        emulator.graphBaseUrl(), CLIENT_ID, Long.toString(CRM_WRITE_DELAY.toMillis()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(secret.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  // ---------------------------------------------------------------- the run log and the database

  /** Pairs of runs of one mailbox whose intervals intersect; the dead node's open runs end at its death. */
  private static List<String> overlaps(DataSource ds, String victim, Instant killedAt) throws SQLException {
    record Run(long id, String node, Instant start, Instant end) {}
    Map<String, List<Run>> byMailbox = new HashMap<>();
    Instant now = dbNow(ds);
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, node, mailbox_key, started_at, ended_at FROM failover_run ORDER BY started_at, id");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        OffsetDateTime ended = rs.getObject("ended_at", OffsetDateTime.class);
        String node = rs.getString("node");
        Instant end = ended != null ? ended.toInstant() : node.equals(victim) ? killedAt : now;
        byMailbox.computeIfAbsent(rs.getString("mailbox_key"), k -> new ArrayList<>())
            .add(new Run(rs.getLong("id"), node, rs.getObject("started_at", OffsetDateTime.class).toInstant(), end));
      }
    }
    List<String> overlaps = new ArrayList<>();
    for (Map.Entry<String, List<Run>> e : byMailbox.entrySet()) {
      List<Run> runs = e.getValue();
      for (int i = 1; i < runs.size(); i++) {
        Run prev = runs.get(i - 1);
        Run next = runs.get(i);
        if (next.start().isBefore(prev.end())) {
          overlaps.add(e.getKey() + ": " + prev + " and " + next);
        }
      }
    }
    return overlaps;
  }

  private static List<String> openRuns(DataSource ds, String node) throws SQLException {
    List<String> open = new ArrayList<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT mailbox_key FROM failover_run WHERE node = ? AND ended_at IS NULL ORDER BY id")) {
      ps.setString(1, node);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          open.add(rs.getString(1));
        }
      }
    }
    return open;
  }

  private static Instant awaitFirstRunAfter(DataSource ds, String node, String mailbox, Instant after, Duration wait)
      throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT MIN(started_at) FROM failover_run WHERE node = ? AND mailbox_key = ? AND started_at > ?")) {
        ps.setString(1, node);
        ps.setString(2, mailbox);
        ps.setObject(3, OffsetDateTime.ofInstant(after, java.time.ZoneOffset.UTC));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          OffsetDateTime first = rs.getObject(1, OffsetDateTime.class);
          if (first != null) {
            return first.toInstant();
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(node + " never took over " + mailbox + " within " + wait);
      }
      Thread.sleep(50);
    }
  }

  private static void awaitCompletedRunAfter(DataSource ds, String node, String mailbox, Instant after, Duration wait)
      throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT COUNT(*) FROM failover_run WHERE node = ? AND mailbox_key = ? AND started_at > ? AND outcome = 'ACTIVE'")) {
        ps.setString(1, node);
        ps.setString(2, mailbox);
        ps.setObject(3, OffsetDateTime.ofInstant(after, java.time.ZoneOffset.UTC));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(node + " completed no round of " + mailbox + " after " + after + " within " + wait);
      }
      Thread.sleep(50);
    }
  }

  private static void awaitSql(DataSource ds, String sql, Duration wait, String what) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
           ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getBoolean(1)) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(100);
    }
  }

  private static long fence(DataSource ds, String mailbox) throws SQLException {
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT fence FROM m365sync_fence WHERE mailbox_key = ?")) {
      ps.setString(1, mailbox);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  private static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Instant dbNow(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  private static String currentSchema(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT current_schema()");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static MailboxId parse(String key) {
    int slash = key.indexOf('/');
    return MailboxId.of(key.substring(0, slash), key.substring(slash + 1));
  }
}
