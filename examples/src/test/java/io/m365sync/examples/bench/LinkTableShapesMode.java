package io.m365sync.examples.bench;

import io.m365sync.jdbc.JdbcSyncStateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Mode {@code linkshapes}: what PostgreSQL itself spends on a link row, by what the link table keeps
 * beside the row, to tell how much of a first sync's server work any change to the table could save.
 * With {@code store=h2}: the same on a durable H2 file (each commit in the file before it returns), the
 * rows bound as the store binds them, this JVM's CPU per row; shapes as shipped (ids as UTF-8 bytes,
 * keyed by one number per mailbox and resource), keyed by the mailbox's number and the resource's name
 * (before schema version 12), both ids indexed but neither unique, no index.
 * The same rows (ids shaped as in {@link LinkWritesMode}) are inserted into copies of the migrated
 * {@code m365sync_link}, {@code batch} rows a statement and a commit each, as a round's batch writes
 * them: the table as shipped (its primary key on the CRM id and the unique remote id), with the
 * primary key alone, with the remote id's uniqueness kept on a 64-bit hash of it instead, and with no
 * index at all (the heap and the statement alone). Shapes alternate within each round; the server's
 * CPU and the wall time per row are the median of the rounds. Not an option for the store: the
 * shapes beside the shipped one give up lookups or guarantees the store relies on.
 */
final class LinkTableShapesMode {
  private LinkTableShapesMode() {}

  /** One shape's rounds: the CPU ({@link Result#cpuOf}) and the wall time per row, in microseconds. */
  record Shape(String name, List<Double> cpuMicros, List<Double> wallMicros) {
    double medianCpu() {
      return Settling.median(cpuMicros, v -> v);
    }

    double medianWall() {
      return Settling.median(wallMicros, v -> v);
    }
  }

  /** {@code cpuOf}: whose CPU the shapes' figures count (the PostgreSQL server's, or this JVM's with H2). */
  record Result(String server, String cpuOf, int rows, int batch, List<Shape> shapes) {}

  /** H2's shapes: their DDL, and whether a link's key is the mailbox's number and the resource's name. */
  private record H2Shape(String name, boolean byResourceName, List<String> ddl) {}

  private static final String H2_COLUMNS = "CREATE TABLE shape (scope_id BIGINT NOT NULL, crm_id VARBINARY(2048)"
      + " NOT NULL, remote_id VARBINARY(4096) NOT NULL, change_key VARBINARY(4096), crm_version BIGINT NOT NULL,"
      + " container_id VARBINARY(4096))";

  private static List<H2Shape> h2Shapes() {
    String byName = H2_COLUMNS.replace("scope_id BIGINT NOT NULL", "mailbox_id BIGINT NOT NULL, resource_name"
        + " VARCHAR(40) NOT NULL");
    return List.of(
        new H2Shape("as shipped (primary key + unique remote id, keyed by mailbox and resource)", false,
            List.of(H2_COLUMNS, "ALTER TABLE shape ADD PRIMARY KEY (scope_id, crm_id)",
                "ALTER TABLE shape ADD CONSTRAINT shape_remote_uq UNIQUE (scope_id, remote_id)")),
        new H2Shape("keyed by the mailbox's number and the resource's name (before schema version 12)", true,
            List.of(byName, "ALTER TABLE shape ADD PRIMARY KEY (mailbox_id, resource_name, crm_id)",
                "ALTER TABLE shape ADD CONSTRAINT shape_remote_uq UNIQUE (mailbox_id, resource_name, remote_id)")),
        new H2Shape("both ids indexed, neither unique", false, List.of(H2_COLUMNS,
            "CREATE INDEX shape_crm ON shape (scope_id, crm_id)",
            "CREATE INDEX shape_remote ON shape (scope_id, remote_id)")),
        new H2Shape("no index (rows and statement)", false, List.of(H2_COLUMNS)));
  }

  /** Table DDL by shape, each a copy of the migrated link table's columns. */
  private static Map<String, List<String>> shapes() {
    Map<String, List<String>> ddl = new LinkedHashMap<>();
    ddl.put("as shipped (primary key + unique remote id)",
        List.of("CREATE TABLE shape (LIKE m365sync_link INCLUDING ALL)"));
    ddl.put("primary key only", List.of("CREATE TABLE shape (LIKE m365sync_link)",
        "ALTER TABLE shape ADD PRIMARY KEY (scope_id, crm_id)"));
    ddl.put("remote id unique by a 64-bit hash", List.of("CREATE TABLE shape (LIKE m365sync_link)",
        "ALTER TABLE shape ADD COLUMN remote_hash BIGINT NOT NULL",
        "ALTER TABLE shape ADD PRIMARY KEY (scope_id, crm_id)",
        "ALTER TABLE shape ADD UNIQUE (scope_id, remote_hash)"));
    ddl.put("no index (heap and statement)", List.of("CREATE TABLE shape (LIKE m365sync_link)"));
    return ddl;
  }

  /**
   * Arguments: rows (100,000 per shape and round), batch (500 rows a statement and commit), perMailbox
   * (500), rounds (3).
   */
  static Result run(BenchArgs args) throws Exception {
    int rows = args.integer("rows", 100_000);
    int batch = args.integer("batch", 500);
    int perMailbox = args.integer("perMailbox", 500);
    int rounds = args.integer("rounds", 3);
    if (args.text("store", "postgres").equals("h2")) {
      return runH2(rows, batch, perMailbox, rounds);
    }
    Map<String, List<String>> ddl = shapes();
    List<Shape> shapes = ddl.keySet().stream().map(n -> new Shape(n, new ArrayList<>(), new ArrayList<>())).toList();
    try (BenchStores stores = new BenchStores(BenchStores.Kind.POSTGRES, 1)) {
      String server = stores.describe().replaceAll(", HikariCP.*", "");
      DataSource schema = stores.newSchema();
      JdbcSyncStateStore.create(schema); // the migrations: m365sync_link as a host's database has it
      try (Connection c = schema.getConnection(); Statement s = c.createStatement()) {
        // a mailbox's remote ids share a long prefix and end at random, its CRM ids are random UUIDs
        s.execute("CREATE TABLE stage AS SELECT g AS n, (g - 1) / " + perMailbox + " AS mailbox,"
            + " md5('crm' || g)::uuid::text AS crm_id,"
            + " 'AAMkA' || md5('mailbox' || ((g - 1) / " + perMailbox + "))"
            + " || '" + LinkWritesMode.GRAPH_ID_FOLDER_PART + "' || md5('item' || g)"
            + " || 'AAA=' AS remote_id, 'DwAAABYAAAAd5Gm0VMNEQp4AAAAA' || g AS change_key"
            + " FROM generate_series(1, " + rows + ") g");
        s.execute("CREATE INDEX ON stage (n)");
        s.execute("ANALYZE stage");
        for (int round = 1; round <= rounds; round++) {
          for (Shape shape : shapes) {
            measure(stores, c, ddl.get(shape.name()), shape, rows, batch);
            System.out.printf("round %d, %s: %.1f us server CPU, %.1f us wall per row%n", round, shape.name(),
                shape.cpuMicros().get(round - 1), shape.wallMicros().get(round - 1));
          }
        }
      }
      return new Result(server, "server CPU", rows, batch, shapes);
    }
  }

  private static Result runH2(int rows, int batch, int perMailbox, int rounds) throws Exception {
    List<H2Shape> h2 = h2Shapes();
    List<Shape> shapes = h2.stream().map(n -> new Shape(n.name(), new ArrayList<>(), new ArrayList<>())).toList();
    // ids shaped as LinkWritesMode's: a mailbox's Graph ids share a long prefix, its CRM ids are random UUIDs
    Random random = new Random(1);
    String[][] ids = new String[rows][3];
    for (int n = 0; n < rows; n++) {
      String prefix = "AAMkA" + UUID.nameUUIDFromBytes(("mailbox" + n / perMailbox).getBytes()).toString().replace("-", "")
          + LinkWritesMode.GRAPH_ID_FOLDER_PART;
      ids[n][0] = new UUID(random.nextLong(), random.nextLong()).toString();
      ids[n][1] = prefix + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()) + "AAA=";
      ids[n][2] = "DwAAABYAAAAd5Gm0VMNEQp4AAAAA" + n;
    }
    Path dir = Files.createTempDirectory("m365sync-linkshapes");
    try {
      for (int round = 1; round <= rounds; round++) {
        for (int i = 0; i < h2.size(); i++) {
          Path file = dir.resolve("round" + round + "-shape" + i);
          try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(file)) {
            measureH2(store.dataSource(), h2.get(i), shapes.get(i), ids, perMailbox, batch);
          }
          System.out.printf("round %d, %s: %.1f us CPU, %.1f us wall per row%n", round, shapes.get(i).name(),
              shapes.get(i).cpuMicros().get(round - 1), shapes.get(i).wallMicros().get(round - 1));
        }
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    return new Result("durable H2 file (each commit in the file before it returns)", "CPU (this JVM)", rows, batch,
        shapes);
  }

  /** {@code batch} rows a multi-row insert and a commit each, bound as the store binds them. */
  private static void measureH2(DataSource file, H2Shape h2, Shape shape, String[][] ids, int perMailbox, int batch)
      throws Exception {
    int rows = ids.length;
    try (Connection c = file.getConnection()) {
      try (Statement s = c.createStatement()) {
        for (String statement : h2.ddl()) {
          s.execute(statement);
        }
      }
      String row = h2.byResourceName() ? "(?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?)";
      String insert = "INSERT INTO shape VALUES " + String.join(", ", Collections.nCopies(batch, row));
      long cpu0 = SyncBenchmark.processCpuNanos();
      long t0 = System.nanoTime();
      try (PreparedStatement ps = c.prepareStatement(insert)) {
        for (int from = 0; from + batch <= rows; from += batch) {
          int p = 0;
          for (int n = from; n < from + batch; n++) {
            ps.setLong(++p, n / perMailbox);
            if (h2.byResourceName()) {
              ps.setString(++p, "EVENTS");
            }
            for (int k = 0; k < 3; k++) {
              ps.setBytes(++p, ids[n][k].getBytes(StandardCharsets.UTF_8));
            }
            ps.setLong(++p, 1);
            ps.setNull(++p, Types.VARBINARY);
          }
          ps.executeUpdate(); // autocommit: a commit per batch, in the file before it returns
        }
      }
      long wall = System.nanoTime() - t0;
      long cpu = SyncBenchmark.processCpuNanos() - cpu0;
      record(c, shape, rows / batch * batch, cpu, wall);
    }
  }

  private static void measure(BenchStores stores, Connection c, List<String> ddl, Shape shape, int rows, int batch)
      throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS shape");
      for (String statement : ddl) {
        s.execute(statement);
      }
      s.execute("CHECKPOINT");
    }
    boolean hashed = ddl.stream().anyMatch(d -> d.contains("remote_hash"));
    String insert = "INSERT INTO shape SELECT mailbox, crm_id, remote_id, change_key, 1, NULL"
        + (hashed ? ", hashtextextended(remote_id, 0)" : "") + " FROM stage WHERE n > ? AND n <= ?";
    Duration server0 = stores.serverCpu();
    long t0 = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (int from = 0; from < rows; from += batch) {
        ps.setInt(1, from);
        ps.setInt(2, from + batch);
        ps.executeUpdate(); // autocommit: a commit per batch, as a round's batch
      }
    }
    long wall = System.nanoTime() - t0;
    record(c, shape, rows, stores.serverCpu().minus(server0).toNanos(), wall);
  }

  /** Checks that the shape holds every row inserted, then takes the round's CPU and wall time per row. */
  private static void record(Connection c, Shape shape, long inserted, long cpuNanos, long wallNanos) throws Exception {
    try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM shape")) {
      rs.next();
      if (rs.getLong(1) != inserted) {
        throw new IllegalStateException(shape.name() + " holds " + rs.getLong(1) + " rows of the " + inserted
            + " inserted");
      }
    }
    shape.cpuMicros().add(cpuNanos / 1000.0 / inserted);
    shape.wallMicros().add(wallNanos / 1000.0 / inserted);
  }

  static String report(Result r) {
    double shipped = r.shapes().get(0).medianCpu();
    StringBuilder sb = new StringBuilder(String.format("link rows on %s, %,d rows per shape and round, %d a statement"
        + " and commit, median of %d rounds%n", r.server(), r.rows(), r.batch(),
        r.shapes().get(0).cpuMicros().size()));
    sb.append(String.format("| link table | %s per row | wall per row | of as shipped | rounds (%s) |%n", r.cpuOf(),
        r.cpuOf()));
    sb.append("|---|---|---|---|---|\n");
    for (Shape s : r.shapes()) {
      sb.append(String.format("| %s | %.1f us | %.1f us | %.2f | %s |%n", s.name(), s.medianCpu(), s.medianWall(),
          s.medianCpu() / shipped, s.cpuMicros().stream().map(v -> String.format("%.1f", v)).toList()));
    }
    return sb.toString();
  }
}
