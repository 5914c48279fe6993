package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AccessAudit;
import io.m365sync.AuthMode;
import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.AccessRecordFormat;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.RecordedRequest;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The access audit against what Microsoft 365 itself saw: the fake tenant's request log. */
class AccessAuditTest {

  /** A mailbox-resource as a key both sides can produce. */
  private static String key(String userObjectId, Resource resource) {
    return userObjectId + " " + resource;
  }

  /** The resource a logged Graph request was about, from its path. */
  private static Resource resourceOf(RecordedRequest r) {
    String op = r.operation();
    if (op.contains("/calendarView") || op.contains("/events")) {
      return Resource.EVENTS;
    }
    if (op.contains("/contact")) {
      return Resource.CONTACTS;
    }
    if (op.contains("/mailFolders") || op.contains("/messages")) {
      return Resource.MAIL;
    }
    if (op.contains("/todo/")) {
      return Resource.TASKS;
    }
    if (op.contains("/mailboxSettings")) {
      return Resource.MAILBOX_SETTINGS;
    }
    throw new AssertionError("no resource in " + op);
  }

  /** Enroll, unenroll, re-enroll, a policy that denies one user and is lifted: the audit is the log's app-only part. */
  @Test
  void theAuditListsExactlyTheAppOnlyRoundsTheRequestLogShows() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    for (String alias : new String[] {"alice", "bob", "carol", "dave"}) {
      f.user(alias);
    }
    Instant start = f.m365.clock().instant();
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.signIn("bob", EngineFixture.EVENTS_AND_CONTACTS);
    f.engine.runCycle(); // delegated only: application permissions not granted yet
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.cycleAfter(Duration.ofMinutes(15));
    ModelGroup group = f.m365.tenant().addGroup("crm-sync-users", true).add(f.users.get("alice"));
    AccessPolicy policy = f.m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS,
        f.m365.app().clientId(), group, "CRM users only");
    f.cycleAfter(Duration.ofHours(2)); // bob: denied app-only, falls back to delegated
    f.engine.unenroll(f.id("alice"));
    f.signIn("dave", EngineFixture.EVENTS_AND_CONTACTS); // outside the group: denied too
    f.cycleAfter(Duration.ofMinutes(15));
    f.m365.tenant().removeAccessPolicy(policy);
    f.cycleAfter(Duration.ofHours(2)); // the deny's TTL ran out: app-only again for bob and dave
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.cycleAfter(Duration.ofMinutes(15));
    Instant end = f.m365.clock().instant().plusSeconds(1);

    // Microsoft 365's side: per mailbox and resource, the app-only rounds (distinct instants: the
    // clock stands still within a round) and their requests
    Map<String, Set<Instant>> loggedRounds = new TreeMap<>();
    Map<String, Long> loggedRequests = new TreeMap<>();
    for (RecordedRequest r : f.m365.cloud().log().all()) {
      if (r.isGraph() && r.mode() == AuthMode.APPLICATION && r.targetUserId() != null) {
        String k = key(r.targetUserId(), resourceOf(r));
        loggedRounds.computeIfAbsent(k, x -> new TreeSet<>()).add(r.at());
        loggedRequests.merge(k, 1L, Long::sum);
      }
    }
    List<AccessRecord> records = f.engine.audit().records(start, end);
    Map<String, Long> auditedRounds = new TreeMap<>();
    Map<String, Long> auditedRequests = new TreeMap<>();
    for (AccessRecord a : records) {
      auditedRounds.merge(key(a.mailbox().userObjectId(), a.resource()), (long) a.rounds(), Long::sum);
      auditedRequests.merge(key(a.mailbox().userObjectId(), a.resource()), (long) a.requests(), Long::sum);
    }
    assertThat(auditedRequests).isEqualTo(loggedRequests);
    Map<String, Long> roundCounts = new TreeMap<>();
    loggedRounds.forEach((k, v) -> roundCounts.put(k, (long) v.size()));
    assertThat(auditedRounds).isEqualTo(roundCounts);
    // every logged round lies within a record of its mailbox and resource
    loggedRounds.forEach((k, instants) -> assertThat(instants).allSatisfy(at -> assertThat(records).anySatisfy(a -> {
      assertThat(key(a.mailbox().userObjectId(), a.resource())).isEqualTo(k);
      assertThat(at).isBetween(a.startedAt(), a.finishedAt());
    })));
    assertThat(records.size()).as("like rounds fold").isLessThan(roundCounts.values().stream().mapToInt(Long::intValue).sum());
    assertThat(f.engine.audit().records(start, end)).extracting(AccessRecord::outcome)
        .contains(AccessRecord.Outcome.SUCCEEDED, AccessRecord.Outcome.DENIED_BY_POLICY);
    assertThat(loggedRounds.keySet()).noneMatch(k -> k.startsWith(f.oid("carol")));

    assertThat(f.engine.audit().defects(start, end)).isEmpty();
    assertThat(f.listener.auditDefects()).isEmpty();
    AccessAudit.Summary summary = f.engine.audit().summary(Duration.ofDays(1));
    assertThat(summary.rounds()).isEqualTo(roundCounts.values().stream().mapToLong(Long::longValue).sum());
    assertThat(summary.requests()).isEqualTo(loggedRequests.values().stream().mapToLong(Long::longValue).sum());
    assertThat(summary.toText()).contains("OK: every mailbox touched app-only was enrolled at the time");

    for (AccessRecordFormat format : AccessRecordFormat.values()) {
      StringBuilder out = new StringBuilder();
      f.engine.audit().export(start, end, format, out);
      assertThat(format.read(new StringReader(out.toString()))).isEqualTo(f.engine.audit().records(start, end));
    }
  }

  /** A gate failure, staged by closing the enrollment period behind the engine's back: reported loudly. */
  @Test
  void anAppOnlyTouchOfAMailboxNotEnrolledAtTheTimeIsADefect() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    Instant start = f.m365.clock().instant();
    f.m365.clock().advance(Duration.ofMinutes(1));
    f.engine.stateStore().endEnrollmentPeriod(f.id("alice"), f.m365.clock().instant());

    f.cycleAfter(Duration.ofMinutes(15));

    assertThat(f.listener.auditDefects()).hasSize(2) // events and contacts, when recorded
        .allMatch(d -> d.mailbox().equals(f.id("alice")));
    AccessAudit.Summary summary = f.engine.audit().summary(Duration.ofDays(1));
    assertThat(summary.defects()).hasSize(2);
    assertThat(summary.toText()).contains("DEFECT: 2 app-only round(s)");
    assertThat(f.listener.auditDefects()).hasSize(4); // and again when the summary met them
    assertThat(f.engine.audit().defects(start, f.m365.clock().instant().plusSeconds(1))).hasSize(2);
  }

  @Test
  void upkeepDeletesWhatTheRetentionNoLongerKeeps() {
    EngineFixture f = EngineFixture.standard();
    f.build(SyncOptions.defaults().withAuditRetention(Duration.ofDays(7)), false);
    f.user("alice");
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    Instant start = f.m365.clock().instant();
    f.engine.runCycle();
    f.cycleAfter(Duration.ofDays(6));
    assertThat(f.engine.audit().records(start, f.m365.clock().instant().plusSeconds(1))).hasSize(4);

    f.m365.clock().advance(Duration.ofDays(2));
    f.engine.upkeep();

    assertThat(f.engine.audit().records(start, f.m365.clock().instant()))
        .hasSize(2).allMatch(r -> r.startedAt().isAfter(start));
  }

  @Test
  void theRetentionIsAnOptionLikeTheOthers() {
    Properties p = new Properties();
    p.setProperty("m365sync.auditRetention", "P30D");
    assertThat(SyncOptions.fromProperties(p::getProperty).auditRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(SyncOptions.KEYS).contains("auditRetention");
    assertThat(SyncOptions.defaults().auditRetention()).isEqualTo(Duration.ofDays(365));
    p.setProperty("m365sync.auditRetention", "a year");
    assertThatThrownBy(() -> SyncOptions.fromProperties(p::getProperty))
        .hasMessageContaining("'m365sync.auditRetention' must be an ISO-8601 duration");
    assertThatThrownBy(() -> SyncOptions.defaults().withAuditRetention(Duration.ZERO))
        .hasMessageContaining("'auditRetention' must be positive");
  }
}
