package io.m365sync.testkit.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves a whole {@link CloudModel} to a JSON file and loads it back: tenants, directory, app
 * registrations with consent, access policies, refresh-token grants, issued access tokens, every
 * mailbox with its delta logs, and the clock. So a demo or a test can stop and, in a second JVM,
 * go on where it stopped — stored delta links and refresh tokens stay valid. Faults, throttling
 * counters and the request log are not kept.
 */
public final class CloudSnapshot {
  private static final ObjectMapper JSON = RecordJson.mapper();

  private CloudSnapshot() {}

  record File(Instant clock, String signingKey, Map<String, String> generatedIds, Map<String, TokenClaims> issued,
              List<Tenant> tenants) {}

  record Tenant(String id, String domain, TenantModel.Settings settings, List<User> users, List<Group> groups,
                List<App> apps, List<Policy> policies, List<Grant> grants, Map<String, Integer> refreshTokens) {}

  record User(String id, String upn, String displayName, boolean licensed, Map<String, String> attributes, Mailbox mailbox) {}

  record Group(String id, String displayName, boolean mailEnabledSecurity, Set<String> members) {}

  record App(String clientId, String displayName, String applicationObjectId, String servicePrincipalId,
             List<ClientSecret> secrets, List<String> certificates, Set<String> delegated, Set<String> application,
             Set<String> consentedApplication, Set<String> adminGrantedDelegated) {}

  record Policy(AccessPolicy policy, Instant removedAt) {}

  record Grant(String userId, String clientId, Set<String> scopes, Instant signedInAt, Instant lastUsedAt, boolean revoked) {}

  record Mailbox(Collection<CalendarEvent> calendar, Map<String, Collection<Contact>> contacts,
                 Map<String, Collection<MailMessage>> mail, Map<String, Collection<TodoTask>> tasks,
                 MailboxSettings settings, long settingsVersion) {}

  record Collection<T extends SyncItem>(List<StoredItem<T>> items, List<String> log, int generation, int replays) {
    static <T extends SyncItem> Collection<T> of(ItemCollection<T> c) {
      ItemCollection.State<T> s = c.state();
      return new Collection<>(s.items(), s.log(), s.generation(), s.replays());
    }

    void into(ItemCollection<T> c) {
      c.restore(new ItemCollection.State<>(items, log, generation, replays));
    }
  }

  /** Writes the cloud to {@code file} (atomically replacing it). */
  public static void save(CloudModel cloud, Path file) {
    List<Tenant> tenants = new ArrayList<>();
    for (TenantModel t : cloud.tenants()) {
      tenants.add(tenant(t));
    }
    File f = new File(cloud.clock().instant(), Base64.getEncoder().encodeToString(cloud.signingKey()),
        cloud.generatedIds(), cloud.issuedTokens(), tenants);
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = parent.resolve(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), f);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write cloud snapshot " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a cloud saved by {@link #save}; its clock starts where the saved one stopped. */
  public static CloudModel load(Path file) {
    File f;
    try {
      f = JSON.readValue(file.toFile(), File.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cloud snapshot " + file + ": " + e.getMessage(), e);
    }
    CloudModel cloud = new CloudModel(new MutableClock(f.clock()));
    cloud.restoreTokens(f.issued(), f.generatedIds(), Base64.getDecoder().decode(f.signingKey()));
    for (Tenant t : f.tenants()) {
      restore(cloud.addTenant(t.id(), t.domain()), t);
    }
    return cloud;
  }

  private static Tenant tenant(TenantModel t) {
    List<User> users = new ArrayList<>();
    for (ModelUser u : t.users()) {
      users.add(new User(u.objectId(), u.userPrincipalName(), u.displayName(), u.licensed(), Map.copyOf(u.attributes()),
          mailbox(t.mailbox(u))));
    }
    List<Group> groups = t.groups().stream()
        .map(g -> new Group(g.id(), g.displayName(), g.mailEnabledSecurity(), g.memberIds())).toList();
    List<App> apps = t.apps().stream().map(a -> new App(a.clientId(), a.displayName(), a.applicationObjectId(),
        a.servicePrincipalId(), a.secrets(), a.certificates().stream().map(CloudSnapshot::encode).toList(),
        a.delegatedPermissions(), a.applicationPermissions(), a.consentedApplicationPermissions(),
        a.adminGrantedDelegatedPermissions())).toList();
    Map<String, Instant> removals = t.policyRemovals();
    List<Policy> policies = t.allPolicies().stream().map(p -> new Policy(p, removals.get(p.id()))).toList();
    // several rotated refresh tokens share one grant: keep that sharing
    Map<RefreshGrant, Integer> index = new IdentityHashMap<>();
    List<Grant> grants = new ArrayList<>();
    Map<String, Integer> tokens = new LinkedHashMap<>();
    t.refreshGrants().forEach((rt, g) -> tokens.put(rt, index.computeIfAbsent(g, k -> {
      grants.add(new Grant(g.userId, g.clientId, g.scopes, g.signedInAt, g.lastUsedAt, g.revoked));
      return grants.size() - 1;
    })));
    return new Tenant(t.tenantId(), t.domain(), t.settings(), users, groups, apps, policies, grants, tokens);
  }

  private static Mailbox mailbox(MailboxModel m) {
    Map<String, Collection<Contact>> contacts = new LinkedHashMap<>();
    m.contactFolderIds().forEach(id -> contacts.put(id, Collection.of(m.contacts(id))));
    Map<String, Collection<MailMessage>> mail = new LinkedHashMap<>();
    m.mailFolderIds().forEach(id -> mail.put(id, Collection.of(m.mail(id))));
    Map<String, Collection<TodoTask>> tasks = new LinkedHashMap<>();
    m.taskListIds().forEach(id -> tasks.put(id, Collection.of(m.tasks(id))));
    return new Mailbox(Collection.of(m.calendar()), contacts, mail, tasks, m.settings(), m.settingsVersion());
  }

  private static void restore(TenantModel t, Tenant s) {
    t.restoreSettings(s.settings());
    for (User u : s.users()) {
      ModelUser user = t.restoreUser(u.id(), u.upn(), u.displayName()).licensed(u.licensed());
      user.attributes().putAll(u.attributes());
      MailboxModel m = t.mailbox(user);
      u.mailbox().calendar().into(m.calendar());
      u.mailbox().contacts().forEach((id, c) -> c.into(m.addContactFolder(id)));
      u.mailbox().mail().forEach((id, c) -> c.into(m.addMailFolder(id)));
      u.mailbox().tasks().forEach((id, c) -> c.into(m.addTaskList(id)));
      m.restoreSettings(u.mailbox().settings(), u.mailbox().settingsVersion());
    }
    for (Group g : s.groups()) {
      t.restoreGroup(g.id(), g.displayName(), g.mailEnabledSecurity());
    }
    for (Group g : s.groups()) {
      ModelGroup group = t.findGroup(g.id()).orElseThrow();
      g.members().forEach(group::restoreMember); // settled: membership changes still propagating are not kept
    }
    for (App a : s.apps()) {
      AppRegistration app = t.restoreApp(a.clientId(), a.displayName(), a.applicationObjectId(), a.servicePrincipalId());
      a.secrets().forEach(sec -> app.addSecret(sec.value(), sec.endDateTime()));
      a.certificates().forEach(c -> app.addCertificate(decode(c)));
      app.addDelegatedPermissions(a.delegated().toArray(String[]::new));
      app.addApplicationPermissions(a.application().toArray(String[]::new));
      app.restoreConsent(a.consentedApplication(), a.adminGrantedDelegated());
    }
    s.policies().forEach(p -> t.restorePolicy(p.policy(), p.removedAt()));
    List<RefreshGrant> grants = new ArrayList<>();
    for (Grant g : s.grants()) {
      RefreshGrant grant = new RefreshGrant(g.userId(), g.clientId(), g.scopes(), g.signedInAt());
      grant.lastUsedAt = g.lastUsedAt();
      grant.revoked = g.revoked();
      grants.add(grant);
    }
    s.refreshTokens().forEach((rt, i) -> t.restoreRefreshGrant(rt, grants.get(i)));
  }

  private static String encode(X509Certificate c) {
    try {
      return Base64.getEncoder().encodeToString(c.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode certificate " + c.getSubjectX500Principal(), e);
    }
  }

  private static X509Certificate decode(String der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(der)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot decode a certificate in the snapshot", e);
    }
  }

}
