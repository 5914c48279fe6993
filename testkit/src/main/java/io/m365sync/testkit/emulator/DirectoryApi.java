package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.ClientSecret;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.GraphResource;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenClaims;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The directory subset a permission verifier needs: service principals (the app's and Microsoft
 * Graph's, with app roles and delegated scopes whose ids are generated per cloud), app-role
 * assignments, delegated permission grants, application password and key credentials, users,
 * groups and transitive memberships. Any valid token of the tenant may read it.
 */
final class DirectoryApi {
  static final String GRAPH_APP_ID = GraphResource.APP_ID;
  private static final Pattern APP_ID_KEY = Pattern.compile("^(servicePrincipals|applications)\\(appId='([^']*)'\\)$");
  private static final Pattern FILTER_APP_ID = Pattern.compile("appId\\s+eq\\s+'([^']*)'", Pattern.CASE_INSENSITIVE);
  private static final Pattern FILTER_CLIENT_ID = Pattern.compile("clientId\\s+eq\\s+'([^']*)'", Pattern.CASE_INSENSITIVE);

  private final CloudModel cloud;
  /** Users who consented at an add-in sign-in: principal-scoped grants (tenant|clientId → user ids). */
  private final java.util.Map<String, Set<String>> userConsents = new ConcurrentHashMap<>();

  DirectoryApi(CloudModel cloud) {
    this.cloud = cloud;
  }

  void recordUserConsent(String tenantId, String clientId, String userId) {
    userConsents.computeIfAbsent(tenantId + "|" + clientId, k -> ConcurrentHashMap.newKeySet()).add(userId);
  }

  private static GraphApi.Route dir(Function<Call, Resp> action) {
    return new GraphApi.Route(null, false, action);
  }

  private static HttpError notFound(String id) {
    return new HttpError(404, "Request_ResourceNotFound", "Resource '" + id
        + "' does not exist or one of its queried reference-property objects are not present.");
  }

  private static final Set<String> READ_APPS = Set.of("Application.Read.All", "Application.ReadWrite.All",
      "Directory.Read.All", "Directory.ReadWrite.All");
  private static final Set<String> READ_GROUPS = Set.of("Group.Read.All", "GroupMember.Read.All",
      "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All");
  private static final Set<String> READ_USERS = Set.of("User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All",
      "Directory.Read.All", "Directory.ReadWrite.All");

  /**
   * Directory reads need a directory permission, as in Graph: applications and service principals
   * one of {@link #READ_APPS}, groups and memberships one of {@link #READ_GROUPS}, users one of
   * {@link #READ_USERS}; a signed-in user may read their own user object with {@code User.Read}.
   *
   * @param path the request path under {@code /v1.0} with the user segment resolved (e.g. {@code /users/memberOf})
   * @throws GraphError 403 {@code Authorization_RequestDenied} otherwise
   */
  static void authorize(TokenClaims claims, String path, ModelUser target) {
    String first = path.length() > 1 ? path.substring(1).split("[/(]", 2)[0] : "";
    boolean memberships = path.endsWith("/memberOf") || path.endsWith("/transitiveMemberOf");
    Set<String> any = switch (first) {
      case "servicePrincipals", "applications", "oauth2PermissionGrants" -> READ_APPS;
      case "groups" -> READ_GROUPS;
      default -> memberships ? union(READ_USERS, READ_GROUPS) : READ_USERS;
    };
    Set<String> granted = claims.permissions();
    boolean self = claims.mode() == io.m365sync.AuthMode.DELEGATED && target != null
        && target.objectId().equals(claims.objectId());
    if (self && (granted.contains("User.Read") || memberships)) {
      return;
    }
    if (granted.stream().noneMatch(any::contains)) {
      throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return u;
  }

  /** Tenant-level routes; null when the first segment is not a directory resource. */
  GraphApi.Route route(String method, List<String> seg) {
    String first = seg.get(0);
    Matcher key = APP_ID_KEY.matcher(first);
    String kind = key.matches() ? key.group(1) : first;
    if (!List.of("servicePrincipals", "applications", "oauth2PermissionGrants", "groups", "users").contains(kind)) {
      return null;
    }
    if (!method.equals("GET")) {
      throw GraphApi.methodNotAllowed(method);
    }
    int n = seg.size();
    switch (kind) {
      case "servicePrincipals" -> {
        if (!key.matches() && n == 1) {
          return dir(this::listServicePrincipals);
        }
        String ref = key.matches() ? key.group(2) : seg.get(1);
        boolean byAppId = key.matches();
        int rest = key.matches() ? 1 : 2;
        if (n == rest) {
          return dir(c -> ok(c, g -> servicePrincipal(g, c.tenant, sp(c.tenant, ref, byAppId))));
        }
        if (n == rest + 1 && seg.get(rest).equals("appRoleAssignments")) {
          return dir(c -> appRoleAssignments(c, sp(c.tenant, ref, byAppId)));
        }
        throw GraphApi.notFoundSegment(seg.get(rest));
      }
      case "applications" -> {
        if (!key.matches() && n == 1) {
          return dir(c -> {
            String appId = filter(c, FILTER_APP_ID);
            List<AppRegistration> apps = c.tenant.apps().stream().filter(a -> appId == null || a.clientId().equalsIgnoreCase(appId)).toList();
            return ok(c, g -> collection(g, c, "application", apps, this::application));
          });
        }
        if (n != (key.matches() ? 1 : 2)) {
          throw GraphApi.notFoundSegment(seg.get(n - 1));
        }
        String ref = key.matches() ? key.group(2) : seg.get(1);
        boolean byAppId = key.matches();
        return dir(c -> {
          AppRegistration app = c.tenant.apps().stream()
              .filter(a -> byAppId ? a.clientId().equalsIgnoreCase(ref) : a.applicationObjectId().equals(ref))
              .findFirst().orElseThrow(() -> notFound(ref));
          return ok(c, g -> application(g, app));
        });
      }
      case "oauth2PermissionGrants" -> {
        if (n != 1) {
          throw GraphApi.notFoundSegment(seg.get(1));
        }
        return dir(this::permissionGrants);
      }
      case "groups" -> {
        if (n == 1) {
          return dir(c -> ok(c, g -> collection(g, c, "group", c.tenant.groups(), this::group)));
        }
        String id = seg.get(1);
        if (n == 2) {
          return dir(c -> ok(c, g -> group(g, c.tenant.findGroup(id).filter(x -> x.id().equals(id)).orElseThrow(() -> notFound(id)))));
        }
        if (n == 3 && (seg.get(2).equals("transitiveMembers") || seg.get(2).equals("members"))) {
          boolean transitive = seg.get(2).equals("transitiveMembers");
          return dir(c -> members(c, c.tenant.findGroup(id).filter(x -> x.id().equals(id)).orElseThrow(() -> notFound(id)), transitive));
        }
        throw GraphApi.notFoundSegment(seg.get(2));
      }
      default -> {
        if (n != 1) {
          return null;
        }
        return dir(c -> ok(c, g -> collection(g, c, "user", c.tenant.users(), this::user)));
      }
    }
  }

  /** Routes under {@code /users/{id}} that are directory reads; null otherwise. */
  GraphApi.Route userRoute(String method, List<String> rest) {
    if (!method.equals("GET")) {
      return null;
    }
    if (rest.isEmpty()) {
      return dir(c -> ok(c, g -> user(g, requireUser(c))));
    }
    if (rest.size() == 1) {
      boolean transitive = rest.get(0).equals("transitiveMemberOf");
      return dir(c -> {
        ModelUser u = requireUser(c);
        List<ModelGroup> groups = transitive ? c.tenant.transitiveMemberOf(u)
            : c.tenant.groups().stream().filter(x -> x.memberIds().contains(u.objectId())).toList();
        return ok(c, g -> collection(g, c, "directoryObject", groups, this::group));
      });
    }
    return null;
  }

  private static ModelUser requireUser(Call c) {
    if (c.user == null) {
      String ref = c.req.path();
      throw notFound(ref.substring(ref.lastIndexOf('/') + 1));
    }
    return c.user;
  }

  // ------------------------------------------------------------------ rendering

  private static Resp ok(Call c, Json.Body body) {
    return c.ok(200, Json.write(body));
  }

  @FunctionalInterface
  interface Writer<T> {
    void write(JsonGenerator g, T t) throws IOException;
  }

  private static <T> void collection(JsonGenerator g, Call c, String type, List<T> items, Writer<T> w) throws IOException {
    g.writeStartObject();
    g.writeStringField("@odata.context", c.baseUrl + "/v1.0/$metadata#" + type + "s");
    g.writeArrayFieldStart("value");
    for (T t : items) {
      w.write(g, t);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static String filter(Call c, Pattern p) {
    String f = c.req.param("$filter");
    if (f == null) {
      return null;
    }
    Matcher m = p.matcher(f);
    if (!m.find()) {
      throw new HttpError(400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified.");
    }
    return m.group(1);
  }

  private String graphSpId(TenantModel t) {
    return cloud.generatedId("graph-sp:" + t.tenantId());
  }

  String appRoleId(String permission) {
    return cloud.generatedId("graph-app-role:" + permission.toLowerCase(Locale.ROOT));
  }

  String scopeId(String permission) {
    return cloud.generatedId("graph-scope:" + permission.toLowerCase(Locale.ROOT));
  }

  /** A service principal: the Graph one (app null) or an app's. */
  private record Sp(AppRegistration app) {}

  private Sp sp(TenantModel t, String ref, boolean byAppId) {
    if (byAppId ? ref.equalsIgnoreCase(GRAPH_APP_ID) : ref.equals(graphSpId(t))) {
      return new Sp(null);
    }
    return t.apps().stream().filter(a -> byAppId ? a.clientId().equalsIgnoreCase(ref) : a.servicePrincipalId().equals(ref))
        .findFirst().map(Sp::new).orElseThrow(() -> notFound(ref));
  }

  private Resp listServicePrincipals(Call c) {
    String appId = filter(c, FILTER_APP_ID);
    List<Sp> sps = new ArrayList<>();
    if (appId == null || appId.equalsIgnoreCase(GRAPH_APP_ID)) {
      sps.add(new Sp(null));
    }
    c.tenant.apps().stream().filter(a -> appId == null || a.clientId().equalsIgnoreCase(appId)).forEach(a -> sps.add(new Sp(a)));
    return ok(c, g -> collection(g, c, "servicePrincipal", sps, (gen, sp) -> servicePrincipal(gen, c.tenant, sp)));
  }

  private Set<String> appRoles(TenantModel t) {
    return GraphResource.appRoles(t);
  }

  private Set<String> scopes(TenantModel t) {
    return GraphResource.scopes(t);
  }

  private void servicePrincipal(JsonGenerator g, TenantModel t, Sp sp) throws IOException {
    g.writeStartObject();
    boolean graph = sp.app() == null;
    g.writeStringField("id", graph ? graphSpId(t) : sp.app().servicePrincipalId());
    g.writeStringField("appId", graph ? GRAPH_APP_ID : sp.app().clientId());
    g.writeStringField("displayName", graph ? "Microsoft Graph" : sp.app().displayName());
    g.writeBooleanField("accountEnabled", true);
    g.writeStringField("servicePrincipalType", "Application");
    g.writeStringField("appOwnerOrganizationId", graph ? "f8cdef31-a31e-4b4a-93e4-5f571e91255a" : t.tenantId());
    g.writeArrayFieldStart("servicePrincipalNames");
    g.writeString(graph ? "https://graph.microsoft.com" : sp.app().clientId());
    g.writeEndArray();
    g.writeArrayFieldStart("appRoles");
    if (graph) {
      for (String r : appRoles(t)) {
        g.writeStartObject();
        g.writeArrayFieldStart("allowedMemberTypes");
        g.writeString("Application");
        g.writeEndArray();
        g.writeStringField("description", "Allows the app to use " + r + " without a signed-in user.");
        g.writeStringField("displayName", r + " (application)");
        g.writeStringField("id", appRoleId(r));
        g.writeBooleanField("isEnabled", true);
        g.writeStringField("origin", "Application");
        g.writeStringField("value", r);
        g.writeEndObject();
      }
    }
    g.writeEndArray();
    g.writeArrayFieldStart("oauth2PermissionScopes");
    if (graph) {
      for (String s : scopes(t)) {
        g.writeStartObject();
        g.writeStringField("adminConsentDescription", "Allows the app to use " + s + " for the signed-in user.");
        g.writeStringField("adminConsentDisplayName", s);
        g.writeStringField("id", scopeId(s));
        g.writeBooleanField("isEnabled", true);
        g.writeStringField("type", s.endsWith(".All") ? "Admin" : "User");
        g.writeStringField("userConsentDescription", "Allows the app to use " + s + " for you.");
        g.writeStringField("userConsentDisplayName", s);
        g.writeStringField("value", s);
        g.writeEndObject();
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private Resp appRoleAssignments(Call c, Sp sp) {
    List<String> roles = sp.app() == null ? List.of() : new ArrayList<>(new TreeSet<>(sp.app().consentedApplicationPermissions()));
    String graphSp = graphSpId(c.tenant);
    return ok(c, g -> collection(g, c, "appRoleAssignment", roles, (gen, role) -> {
      gen.writeStartObject();
      gen.writeStringField("id", cloud.generatedId("assignment:" + sp.app().servicePrincipalId() + ":" + role));
      gen.writeNullField("deletedDateTime");
      gen.writeStringField("appRoleId", appRoleId(role));
      gen.writeStringField("createdDateTime", Json.offset(c.now));
      gen.writeStringField("principalDisplayName", sp.app().displayName());
      gen.writeStringField("principalId", sp.app().servicePrincipalId());
      gen.writeStringField("principalType", "ServicePrincipal");
      gen.writeStringField("resourceDisplayName", "Microsoft Graph");
      gen.writeStringField("resourceId", graphSp);
      gen.writeEndObject();
    }));
  }

  private Resp permissionGrants(Call c) {
    String clientSp = filter(c, FILTER_CLIENT_ID);
    List<String[]> grants = new ArrayList<>(); // id, clientSpId, consentType, principalId, scope
    for (AppRegistration a : c.tenant.apps()) {
      if (clientSp != null && !clientSp.equals(a.servicePrincipalId())) {
        continue;
      }
      Set<String> admin = new TreeSet<>(a.adminGrantedDelegatedPermissions());
      if (!admin.isEmpty()) {
        grants.add(new String[] {cloud.generatedId("grant:" + a.servicePrincipalId()), a.servicePrincipalId(),
            "AllPrincipals", null, String.join(" ", admin)});
      }
      Set<String> users = userConsents.getOrDefault(c.tenant.tenantId() + "|" + a.clientId(), Set.of());
      Set<String> delegated = new LinkedHashSet<>(new TreeSet<>(a.delegatedPermissions()));
      if (!delegated.isEmpty()) {
        for (String u : new TreeSet<>(users)) {
          grants.add(new String[] {cloud.generatedId("grant:" + a.servicePrincipalId() + ":" + u), a.servicePrincipalId(),
              "Principal", u, String.join(" ", delegated)});
        }
      }
    }
    String graphSp = graphSpId(c.tenant);
    return ok(c, g -> collection(g, c, "oauth2PermissionGrant", grants, (gen, gr) -> {
      gen.writeStartObject();
      gen.writeStringField("clientId", gr[1]);
      gen.writeStringField("consentType", gr[2]);
      gen.writeStringField("id", gr[0]);
      Json.field(gen, "principalId", gr[3]);
      gen.writeStringField("resourceId", graphSp);
      gen.writeStringField("scope", gr[4]);
      gen.writeEndObject();
    }));
  }

  private void application(JsonGenerator g, AppRegistration a) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", a.applicationObjectId());
    g.writeStringField("appId", a.clientId());
    g.writeStringField("displayName", a.displayName());
    g.writeStringField("signInAudience", "AzureADMultipleOrgs");
    g.writeArrayFieldStart("passwordCredentials");
    for (ClientSecret s : a.secrets()) {
      g.writeStartObject();
      g.writeNullField("customKeyIdentifier");
      g.writeStringField("displayName", s.displayName());
      g.writeStringField("endDateTime", Json.offset(s.endDateTime()));
      g.writeStringField("hint", s.value().length() >= 3 ? s.value().substring(0, 3) : "");
      g.writeStringField("keyId", s.keyId());
      g.writeNullField("secretText");
      g.writeNullField("startDateTime");
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("keyCredentials");
    for (X509Certificate cert : a.certificates()) {
      g.writeStartObject();
      g.writeStringField("customKeyIdentifier", thumbprint(cert));
      g.writeStringField("displayName", cert.getSubjectX500Principal().getName());
      g.writeStringField("endDateTime", Json.offset(cert.getNotAfter().toInstant()));
      g.writeStringField("keyId", cloud.generatedId("key:" + thumbprint(cert)));
      g.writeStringField("startDateTime", Json.offset(cert.getNotBefore().toInstant()));
      g.writeStringField("type", "AsymmetricX509Cert");
      g.writeStringField("usage", "Verify");
      g.writeNullField("key");
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("requiredResourceAccess");
    g.writeStartObject();
    g.writeStringField("resourceAppId", GRAPH_APP_ID);
    g.writeArrayFieldStart("resourceAccess");
    for (String r : new TreeSet<>(a.applicationPermissions())) {
      g.writeStartObject();
      g.writeStringField("id", appRoleId(r));
      g.writeStringField("type", "Role");
      g.writeEndObject();
    }
    for (String s : new TreeSet<>(a.delegatedPermissions())) {
      g.writeStartObject();
      g.writeStringField("id", scopeId(s));
      g.writeStringField("type", "Scope");
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
  }

  static String thumbprint(X509Certificate cert) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }

  private void user(JsonGenerator g, ModelUser u) throws IOException {
    g.writeStartObject();
    g.writeStringField("@odata.type", "#microsoft.graph.user");
    g.writeStringField("id", u.objectId());
    g.writeStringField("displayName", u.displayName());
    g.writeStringField("userPrincipalName", u.userPrincipalName());
    Json.field(g, "mail", u.licensed() ? u.userPrincipalName() : null);
    Json.field(g, "department", u.attributes().get("Department"));
    g.writeEndObject();
  }

  private void group(JsonGenerator g, ModelGroup grp) throws IOException {
    g.writeStartObject();
    g.writeStringField("@odata.type", "#microsoft.graph.group");
    g.writeStringField("id", grp.id());
    g.writeStringField("displayName", grp.displayName());
    g.writeBooleanField("mailEnabled", grp.mailEnabledSecurity());
    g.writeBooleanField("securityEnabled", true);
    g.writeArrayFieldStart("groupTypes");
    g.writeEndArray();
    g.writeEndObject();
  }

  private Resp members(Call c, ModelGroup group, boolean transitive) {
    List<Object> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(new TreeSet<>(group.memberIds()));
    while (!todo.isEmpty()) {
      String id = todo.remove(0);
      if (!seen.add(id)) {
        continue;
      }
      Optional<ModelGroup> g = c.tenant.findGroup(id).filter(x -> x.id().equals(id));
      if (g.isPresent()) {
        out.add(g.get());
        if (transitive) {
          todo.addAll(new TreeSet<>(g.get().memberIds()));
        }
      } else {
        c.tenant.findUser(id).ifPresent(out::add);
      }
    }
    return ok(c, gen -> collection(gen, c, "directoryObject", out, (w, o) -> {
      if (o instanceof ModelGroup grp) {
        group(w, grp);
      } else {
        user(w, (ModelUser) o);
      }
    }));
  }
}
