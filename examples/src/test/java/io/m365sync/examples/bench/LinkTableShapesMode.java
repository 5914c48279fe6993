package io.m365sync.examples.bench;

import io.m365sync.jdbc.JdbcSyncStateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Mode {@code linkshapes}: what PostgreSQL itself spends on a link row, by what the link table keeps
 * beside the row, to tell how much of a first sync's server work any change to the table could save.
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

  /** One shape's rounds: the server's CPU and the wall time per row, in microseconds. */
  record Shape(String name, List<Double> serverMicros, List<Double> wallMicros) {
    double medianServer() {
      return Settling.median(serverMicros, v -> v);
    }

    double medianWall() {
      return Settling.median(wallMicros, v -> v);
    }
  }

  record Result(String server, int rows, int batch, List<Shape> shapes) {}

  /** Table DDL by shape, each a copy of the migrated link table's columns. */
  private static Map<String, List<String>> shapes() {
    Map<String, List<String>> ddl = new LinkedHashMap<>();
    ddl.put("as shipped (primary key + unique remote id)",
        List.of("CREATE TABLE shape (LIKE m365sync_link INCLUDING ALL)"));
    ddl.put("primary key only", List.of("CREATE TABLE shape (LIKE m365sync_link)",
        "ALTER TABLE shape ADD PRIMARY KEY (mailbox_id, resource_name, crm_id)"));
    ddl.put("remote id unique by a 64-bit hash", List.of("CREATE TABLE shape (LIKE m365sync_link)",
        "ALTER TABLE shape ADD COLUMN remote_hash BIGINT NOT NULL",
        "ALTER TABLE shape ADD PRIMARY KEY (mailbox_id, resource_name, crm_id)",
        "ALTER TABLE shape ADD UNIQUE (mailbox_id, resource_name, remote_hash)"));
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
                shape.serverMicros().get(round - 1), shape.wallMicros().get(round - 1));
          }
        }
      }
      return new Result(server, rows, batch, shapes);
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
    String insert = "INSERT INTO shape SELECT mailbox, 'events', crm_id, remote_id, change_key, 1, 1, NULL"
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
    long server = stores.serverCpu().minus(server0).toNanos();
    try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM shape")) {
      rs.next();
      if (rs.getLong(1) != rows) {
        throw new IllegalStateException(shape.name() + " holds " + rs.getLong(1) + " rows of the " + rows
            + " inserted");
      }
    }
    shape.serverMicros().add(server / 1000.0 / rows);
    shape.wallMicros().add(wall / 1000.0 / rows);
  }

  static String report(Result r) {
    double shipped = r.shapes().get(0).medianServer();
    StringBuilder sb = new StringBuilder(String.format("link rows on %s, %,d rows per shape and round, %d a statement"
        + " and commit, median of %d rounds%n", r.server(), r.rows(), r.batch(),
        r.shapes().get(0).serverMicros().size()));
    sb.append("| link table | server CPU per row | wall per row | of as shipped | rounds (server CPU) |\n");
    sb.append("|---|---|---|---|---|\n");
    for (Shape s : r.shapes()) {
      sb.append(String.format("| %s | %.1f us | %.1f us | %.2f | %s |%n", s.name(), s.medianServer(), s.medianWall(),
          s.medianServer() / shipped, s.serverMicros().stream().map(v -> String.format("%.1f", v)).toList()));
    }
    return sb.toString();
  }
}
