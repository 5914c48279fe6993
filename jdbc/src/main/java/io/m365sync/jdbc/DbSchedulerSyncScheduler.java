package io.m365sync.jdbc;

import com.github.kagkarlsson.scheduler.ScheduledExecution;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.exceptions.ExecutionException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceCurrentlyExecutingException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceNotFoundException;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.SyncOptions;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.schedule.SyncTarget;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster {@link SyncScheduler} on <a href="https://github.com/kagkarlsson/db-scheduler">db-scheduler</a>:
 * every node of the CRM runs one over the same database, and each enrolled mailbox is one task
 * instance ({@value #TASK_NAME}) that exactly one node runs at a time. A node that stops
 * heart-beating loses its mailboxes to the others after about {@link #takeoverTime()}.
 *
 * <p>Each run calls {@link SyncTarget#syncIfDue} and reschedules the mailbox {@code interval}
 * plus a random jitter later, so mailboxes enrolled together spread out, or sooner when change
 * notifications wait to be read ({@link SyncTarget#pendingChanges}). A notification received on any
 * node moves the mailbox's task up ({@link #changed}), so whichever node runs it, one does. A mailbox the target no
 * longer knows ({@link NotEnrolledException}) has its task removed. The engine claims a state-store
 * fence at the start of every round, so a node that lost its lease cannot commit. One recurring
 * instance of {@value #UPKEEP_TASK_NAME} calls {@link SyncTarget#upkeep} every {@code interval} on
 * one node at a time (the engine runs its keep-alive pass when that is due).
 *
 * <p>The task table {@code m365sync_scheduled_tasks} is created by the same migrations as
 * {@link JdbcSyncStateStore}; {@link Builder#build()} migrates if needed. db-scheduler runs its
 * own worker and polling threads ({@link Builder#threads(int)}); they start in {@link #start} and
 * stop in {@link #close()}. Thread-safe.
 */
public final class DbSchedulerSyncScheduler implements SyncScheduler {
  private static final Logger log = LoggerFactory.getLogger(DbSchedulerSyncScheduler.class);

  /** The db-scheduler task name of every mailbox's task instance. */
  public static final String TASK_NAME = "mailbox-sync";

  /** The db-scheduler task name of the engine's upkeep (delegated keep-alive), one instance per cluster. */
  public static final String UPKEEP_TASK_NAME = "m365sync-upkeep";

  /** The table holding the task instances. */
  public static final String TABLE_NAME = "m365sync_scheduled_tasks";

  private static final int INSTANCE_ID_MAX = 100;

  private final Scheduler scheduler;
  private final CustomTask<String> task;
  private final Duration interval;
  private final Duration jitter;
  private final Duration takeoverTime;
  private final boolean locksAndFetches;
  private final Clock clock;
  private final DataSource dataSource;
  private final AtomicReference<SyncTarget> target = new AtomicReference<>();
  private volatile boolean closed;

  private DbSchedulerSyncScheduler(Builder b, JdbcDialect dialect) {
    this.interval = b.interval;
    this.jitter = b.jitter;
    this.clock = b.clock;
    this.dataSource = b.dataSource;
    this.takeoverTime = b.heartbeat.multipliedBy(b.missedHeartbeatsLimit + 2L).plus(b.pollingInterval);
    this.task = Tasks.custom(TASK_NAME, String.class)
        .onFailure(this::onFailure)
        .onDeadExecutionRevive()
        .execute(this::execute);
    // one recurring instance for the whole cluster: the engine's upkeep runs on one node at a time
    RecurringTask<Void> upkeep = Tasks.recurring(UPKEEP_TASK_NAME, FixedDelay.of(b.interval))
        .execute((instance, context) -> target.get().upkeep());
    SchedulerBuilder sb = Scheduler.create(b.dataSource, List.of(task))
        .startTasks(upkeep)
        .tableName(TABLE_NAME)
        .serializer(new KeySerializer())
        .threads(b.threads)
        .pollingInterval(b.pollingInterval)
        .heartbeatInterval(b.heartbeat)
        .missedHeartbeatsLimit(b.missedHeartbeatsLimit)
        .shutdownMaxWait(b.shutdownMaxWait)
        .clock(clock::instant);
    if (b.nodeName != null) {
      sb.schedulerName(new SchedulerName.Fixed(b.nodeName));
    }
    if (dialect == JdbcDialect.H2) {
      // H2 gets db-scheduler's generic JDBC path; pin timestamps to UTC rather than the JVM's zone
      sb.alwaysPersistTimestampInUTC();
    }
    this.locksAndFetches = b.lockAndFetch != null ? b.lockAndFetch : dialect == JdbcDialect.POSTGRESQL;
    if (locksAndFetches) {
      // up to twice the threads' number of due mailboxes locked, looked for again as soon as a thread is free:
      // at (0.5, 1.0) a node's threads waited for the poll until half of them were idle (16 % fewer events/s)
      sb.pollUsingLockAndFetch(1.0, 2.0);
    } else {
      sb.pollUsingFetchAndLockOnExecute(0.5, 3.0);
    }
    this.scheduler = sb.build();
  }

  /** A builder for a scheduler over the host's {@code DataSource} (the same database as the state store). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Checks.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * The db-scheduler instance id of a mailbox's task: {@code m:<tenant>/<userObjectId>}, or
   * {@code h:<sha-256 hex>} when that would exceed 100 characters.
   */
  public static String instanceId(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    String plain = "m:" + mailbox.key();
    if (plain.length() <= INSTANCE_ID_MAX) {
      return plain;
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(mailbox.key().getBytes(StandardCharsets.UTF_8));
      return "h:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Worst-case time before another node revives a dead node's mailboxes: heartbeat × (limit + 2) + polling. */
  public Duration takeoverTime() {
    return takeoverTime;
  }

  @Override
  public void start(SyncTarget target) {
    Checks.requireNonNull(target, "target");
    if (closed) {
      throw new IllegalStateException("scheduler already closed");
    }
    if (!this.target.compareAndSet(null, target)) {
      throw new IllegalStateException("scheduler already started");
    }
    scheduler.start();
  }

  /** Adds the mailbox's task, due within the jitter; an existing task keeps its schedule. */
  @Override
  public void enrolled(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    Instant first = clock.instant().plus(randomJitter());
    boolean added = scheduler.scheduleIfNotExists(task.instance(instanceId(mailbox), mailbox.key()), first);
    log.debug("m365sync: mailbox {} {} on the cluster schedule", mailbox, added ? "added" : "already");
  }

  /** Mailboxes inserted per batch by {@link #enrolledAll} (also Oracle's limit of an IN list). */
  static final int BATCH = 1000;

  /**
   * Adds the tasks of many mailboxes at once (a host enrolling its existing users, say), in batched
   * inserts of {@value #BATCH}, each due within the jitter; like {@link #enrolled} for each, a mailbox
   * that already has a task keeps its schedule. Returns how many tasks were added (if another node
   * registers the same mailboxes at the same moment, a few it added may be counted by neither).
   */
  public int enrolledAll(Collection<MailboxId> mailboxes) {
    Checks.requireNonNull(mailboxes, "mailboxes");
    int added = 0;
    List<MailboxId> batch = new ArrayList<>(Math.min(BATCH, mailboxes.size()));
    for (MailboxId mailbox : mailboxes) {
      batch.add(Checks.requireNonNull(mailbox, "mailbox"));
      if (batch.size() == BATCH) {
        added += scheduleBatch(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      added += scheduleBatch(batch);
    }
    return added;
  }

  private int scheduleBatch(List<MailboxId> batch) {
    Set<String> existing = existingInstances(batch);
    Instant now = clock.instant();
    List<SchedulableInstance<?>> instances = new ArrayList<>(batch.size());
    for (MailboxId mailbox : batch) {
      String id = instanceId(mailbox);
      if (existing.add(id)) { // also skips a mailbox listed twice
        instances.add(SchedulableInstance.of(task.instance(id, mailbox.key()), now.plus(randomJitter())));
      }
    }
    if (instances.isEmpty()) {
      return 0;
    }
    try {
      scheduler.scheduleBatch(instances);
      return instances.size();
    } catch (RuntimeException e) {
      // another node registered some of them meanwhile: add the rest one by one
      log.debug("m365sync: batch insert of {} mailbox tasks failed ({}); adding them one by one", instances.size(),
          e.toString());
      int added = 0;
      for (SchedulableInstance<?> instance : instances) {
        if (scheduler.scheduleIfNotExists(instance)) {
          added++;
        }
      }
      return added; // a row that the failed batch did commit counts as not added
    }
  }

  private Set<String> existingInstances(List<MailboxId> batch) {
    StringBuilder sql = new StringBuilder("SELECT task_instance FROM ").append(TABLE_NAME)
        .append(" WHERE task_name = ? AND task_instance IN (");
    for (int i = 0; i < batch.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append(')');
    Set<String> found = new HashSet<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      ps.setString(1, TASK_NAME);
      for (int i = 0; i < batch.size(); i++) {
        ps.setString(i + 2, instanceId(batch.get(i)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw JdbcStateException.wrap("enrolledAll", null, e);
    }
    return found;
  }

  /**
   * Removes the mailbox's task. If it is running right now, the run finishes and the task is removed
   * at its next run, when the target reports the mailbox as not enrolled.
   */
  @Override
  public void unenrolled(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    TaskInstanceId id = TaskInstanceId.of(TASK_NAME, instanceId(mailbox));
    for (int attempt = 1; ; attempt++) {
      try {
        scheduler.cancel(id);
        return;
      } catch (TaskInstanceNotFoundException e) {
        return; // nothing scheduled: nothing to remove
      } catch (TaskInstanceCurrentlyExecutingException e) {
        log.debug("m365sync: mailbox {} is syncing now; its task goes at its next run", mailbox);
        return;
      } catch (ExecutionException e) {
        // a node picked or rescheduled the task between db-scheduler's read and its delete: look again
        if (attempt == 3) {
          log.debug("m365sync: mailbox {} keeps changing on the schedule; its task goes at its next run", mailbox);
          return;
        }
      }
    }
  }

  /**
   * Moves the mailbox's task up to {@code delay} from now, unless it is due sooner; adds one if the
   * mailbox has none. A task running right now is left alone: its run, when it ends, asks the target
   * for {@link SyncTarget#pendingChanges} and comes back after the debounce. Never throws: it runs on
   * the notification's request thread, and the dirty mark is already in the database, so a failure
   * here only delays the round to the task's next run; it is logged at debug.
   */
  @Override
  public void changed(MailboxId mailbox, Duration delay) {
    try {
      Checks.requireNonNull(mailbox, "mailbox");
      Checks.requireNonNull(delay, "delay");
      moveUp(mailbox, clock.instant().plus(delay));
    } catch (RuntimeException e) {
      log.debug("m365sync: could not move the task of mailbox {} up ({}); its next run reads the change", mailbox,
          e.toString());
    }
  }

  private void moveUp(MailboxId mailbox, Instant due) {
    String instance = instanceId(mailbox);
    TaskInstanceId id = TaskInstanceId.of(TASK_NAME, instance);
    for (int attempt = 1; attempt <= 3; attempt++) {
      Optional<ScheduledExecution<Object>> current = scheduler.getScheduledExecution(id);
      if (current.isEmpty()) {
        if (scheduler.scheduleIfNotExists(task.instance(instance, mailbox.key()), due)) {
          return;
        }
        continue; // another node added it meanwhile: look again
      }
      if (current.get().isPicked() || !current.get().getExecutionTime().isAfter(due)) {
        return;
      }
      try {
        if (scheduler.reschedule(id, due)) {
          return;
        }
      } catch (TaskInstanceNotFoundException | TaskInstanceCurrentlyExecutingException e) {
        // picked, removed or moved by another node since the read: look again
      }
    }
    log.debug("m365sync: mailbox {} keeps changing on the schedule; its task was not moved up", mailbox);
  }

  /** Whether this node polls with lock-and-fetch (for tests). */
  boolean locksAndFetches() {
    return locksAndFetches;
  }

  /** When the mailbox's task runs next, if it has one (for tests). */
  Optional<Instant> scheduledAt(MailboxId mailbox) {
    return scheduler.getScheduledExecution(TaskInstanceId.of(TASK_NAME, instanceId(mailbox)))
        .map(ScheduledExecution::getExecutionTime);
  }

  /** Whether the mailbox has a task on the cluster schedule (on any node). */
  public boolean isScheduled(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    return scheduler.getScheduledExecution(TaskInstanceId.of(TASK_NAME, instanceId(mailbox))).isPresent();
  }

  /** Stops polling and waits (up to the shutdown wait) for rounds in flight; their tasks stay scheduled. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (target.get() != null) {
      scheduler.stop();
    }
  }

  private CompletionHandler<String> execute(TaskInstance<String> instance, ExecutionContext context) {
    MailboxId mailbox = parseKey(instance.getData());
    SyncTarget t = target.get();
    try {
      t.syncIfDue(mailbox);
    } catch (NotEnrolledException e) {
      log.info("m365sync: mailbox {} is no longer enrolled; removing its task", mailbox);
      return (complete, ops) -> ops.remove();
    }
    return (complete, ops) -> {
      Optional<Duration> pending = pendingChanges(t, mailbox);
      Instant next = nextRun(complete.getTimeDone());
      if (pending.isPresent() && clock.instant().plus(pending.get()).isBefore(next)) {
        next = clock.instant().plus(pending.get());
      }
      ops.reschedule(complete, next);
      if (pending.isEmpty()) {
        // a notification after that read found the task still running and left it to this run:
        // its mark is committed by now, so a second read sees it
        pendingChanges(t, mailbox).ifPresent(delay -> changed(mailbox, delay));
      }
    };
  }

  /** The target's waiting changes; none when it cannot tell (the interval, or a notification's move, brings the run). */
  private static Optional<Duration> pendingChanges(SyncTarget t, MailboxId mailbox) {
    try {
      return t.pendingChanges(mailbox);
    } catch (RuntimeException e) {
      log.debug("m365sync: pending changes of mailbox {} unknown ({}); next run at the interval", mailbox, e.toString());
      return Optional.empty();
    }
  }

  private void onFailure(ExecutionComplete complete, ExecutionOperations<String> ops) {
    // db-scheduler logs the failure; the mailbox keeps its place on the schedule
    ops.reschedule(complete, nextRun(complete.getTimeDone()));
  }

  private Instant nextRun(Instant done) {
    return done.plus(interval).plus(randomJitter());
  }

  private Duration randomJitter() {
    long nanos = jitter.toNanos();
    return nanos == 0 ? Duration.ZERO : Duration.ofNanos(ThreadLocalRandom.current().nextLong(nanos + 1));
  }

  private static MailboxId parseKey(String key) {
    if (key == null || key.indexOf('/') <= 0) {
      throw new IllegalStateException("task data of a '" + TASK_NAME + "' instance is not a mailbox key: '" + key + "'");
    }
    int slash = key.indexOf('/');
    return MailboxId.of(key.substring(0, slash), key.substring(slash + 1));
  }

  @Override
  public String toString() {
    return "DbSchedulerSyncScheduler[interval=" + interval + ", jitter=" + jitter + ", takeover=" + takeoverTime + "]";
  }

  /** Task data is the mailbox key as UTF-8: readable in the table, no Java serialization. */
  private static final class KeySerializer implements Serializer {
    @Override
    public byte[] serialize(Object data) {
      if (data == null) {
        return null;
      }
      if (!(data instanceof String s)) {
        throw new IllegalArgumentException("only mailbox keys are stored as task data, not " + data.getClass().getName());
      }
      return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <T> T deserialize(Class<T> type, byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      if (type != String.class) {
        throw new IllegalArgumentException("only mailbox keys are stored as task data, not " + type.getName());
      }
      return type.cast(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  /**
   * Settings for {@link DbSchedulerSyncScheduler}; each setter validates at once and names the bad
   * value. Defaults: interval 5 min, jitter 1 min, heartbeat 30 s, missed-heartbeat limit 6,
   * polling 10 s, {@link SyncOptions#maxConcurrentMailboxes} threads (128 by default), lock-and-fetch
   * polling on PostgreSQL (optimistic fetch elsewhere), shutdown wait 30 s, system UTC clock.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private Duration interval = Duration.ofMinutes(5);
    private Duration jitter = Duration.ofMinutes(1);
    private Duration heartbeat = Duration.ofSeconds(30);
    private int missedHeartbeatsLimit = 6;
    private Duration pollingInterval = Duration.ofSeconds(10);
    private int threads = SyncOptions.defaults().maxConcurrentMailboxes();
    /** Null: by the database (on for PostgreSQL). */
    private Boolean lockAndFetch;
    private Duration shutdownMaxWait = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private String nodeName;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** Time between the end of a mailbox's round and the start of its next one (before jitter). */
    public Builder interval(Duration interval) {
      this.interval = Checks.requirePositive(interval, "interval");
      return this;
    }

    /** Up to this much random delay is added to every run (and to the first), spreading mailboxes out. */
    public Builder jitter(Duration jitter) {
      Checks.requireNonNull(jitter, "jitter");
      if (jitter.isNegative()) {
        throw new IllegalArgumentException("'jitter' must not be negative but was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /** How often a node running a mailbox proves it is alive. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = Checks.requirePositive(heartbeat, "heartbeat");
      return this;
    }

    /** Missed heartbeats after which another node revives the mailbox; at least 4. */
    public Builder missedHeartbeatsLimit(int limit) {
      this.missedHeartbeatsLimit = Checks.requireAtLeast(limit, 4, "missedHeartbeatsLimit");
      return this;
    }

    /** How often each node looks for due mailboxes. */
    public Builder pollingInterval(Duration pollingInterval) {
      this.pollingInterval = Checks.requirePositive(pollingInterval, "pollingInterval");
      return this;
    }

    /**
     * Mailboxes this node syncs at once, one per db-scheduler thread; default as many as the engine's
     * {@link SyncOptions#maxConcurrentMailboxes}: at Graph's latency a round mostly waits, so ten
     * threads would leave a node idle most of the time.
     */
    public Builder threads(int threads) {
      this.threads = Checks.requireAtLeast(threads, 1, "threads");
      return this;
    }

    /**
     * Whether to poll with {@code SELECT ... FOR UPDATE SKIP LOCKED} (PostgreSQL only) instead of optimistic
     * fetch; default: on PostgreSQL, off elsewhere. Each node locks the due mailboxes it takes, up to twice
     * its threads, so nodes never race for the same ones. Measured with one and two nodes of 10 threads at
     * Graph's latency on PostgreSQL: 5 % (one node) and 8 % (two) more events per second than optimistic fetch.
     */
    public Builder lockAndFetch(boolean lockAndFetch) {
      this.lockAndFetch = lockAndFetch;
      return this;
    }

    /** How long {@link #close()} waits for rounds in flight. */
    public Builder shutdownMaxWait(Duration wait) {
      this.shutdownMaxWait = Checks.requirePositive(wait, "shutdownMaxWait");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Checks.requireNonNull(clock, "clock");
      return this;
    }

    /** This node's name in the task table ({@code picked_by}); default: the host name. At most 50 characters. */
    public Builder nodeName(String nodeName) {
      Checks.requireText(nodeName, "nodeName");
      if (nodeName.length() > 50) {
        throw new IllegalArgumentException("'nodeName' must be at most 50 characters but was '" + nodeName + "'");
      }
      this.nodeName = nodeName;
      return this;
    }

    /**
     * Migrates the schema if needed and builds the scheduler (not started).
     *
     * @throws IllegalArgumentException if lock-and-fetch is asked for on a database other than PostgreSQL
     * @throws SchemaVersionException if the database schema is newer than this library
     */
    public DbSchedulerSyncScheduler build() {
      JdbcDialect dialect = SchemaMigrator.detect(dataSource);
      if (Boolean.TRUE.equals(lockAndFetch) && dialect != JdbcDialect.POSTGRESQL) {
        throw new IllegalArgumentException("'lockAndFetch' needs PostgreSQL but the database is " + dialect
            + "; leave it unset to poll with optimistic fetch");
      }
      SchemaMigrator.migrate(dataSource, dialect);
      return new DbSchedulerSyncScheduler(this, dialect);
    }
  }
}
