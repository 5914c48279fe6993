package io.m365sync.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.policy.AppId;
import io.m365sync.policy.AppRegistration;
import io.m365sync.policy.AppRoleAssignment;
import io.m365sync.policy.ClientCredential;
import io.m365sync.policy.DirectoryGroup;
import io.m365sync.policy.DirectoryReader;
import io.m365sync.policy.DirectoryUser;
import io.m365sync.policy.GroupKind;
import io.m365sync.policy.PermissionDefinition;
import io.m365sync.policy.PermissionGrant;
import io.m365sync.policy.RequiredPermission;
import io.m365sync.policy.ServicePrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * {@link DirectoryReader} of one tenant over Microsoft Graph, with app-only tokens.
 *
 * <p>Reads: {@code /servicePrincipals(appId='…')} (Microsoft Graph's own gives the {@code appRoles}
 * and {@code oauth2PermissionScopes} whose ids name permissions — read at runtime, they differ per
 * cloud), {@code /servicePrincipals/{id}/appRoleAssignments}, {@code /oauth2PermissionGrants?$filter=
 * clientId eq '…'}, {@code /applications(appId='…')} (required permissions, password and key
 * credentials with their {@code endDateTime}), {@code /users/{id|upn}}, {@code /groups/{id}} (or
 * {@code $filter=mail eq '…'}), {@code /groups/{id}/members}, {@code /groups/{id}/transitiveMembers}
 * and {@code /users/{id}/transitiveMemberOf}. Collections follow {@code @odata.nextLink}. The app
 * needs {@code Application.Read.All} and {@code GroupMember.Read.All} (or {@code Directory.Read.All})
 * and {@code User.Read.All}.
 *
 * <p>The Graph SDK builds, authenticates and sends each request; bodies are read with Jackson (no
 * SDK models leave this class). "Not found" (404) is an empty answer; every other failure is a
 * {@link GraphDirectoryException}, and a token failure is the strategy's own exception. The SDK's
 * retry handler is off: callers own retries.
 *
 * <p>Tokens come from an {@link AuthMode#APPLICATION} {@link TokenStrategy}, asked with a stand-in
 * mailbox of the tenant (app-only tokens are per tenant, not per mailbox); the strategy's cache
 * keeps one token per tenant. Thread-safe.
 */
public final class GraphDirectoryReader implements DirectoryReader {
  static final String DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0";
  private static final HashMap<String, ParsableFactory<? extends Parsable>> ERRORS = new HashMap<>();
  private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final String[] USER_FIELDS = {"id", "userPrincipalName", "mail", "department", "city", "country",
      "companyName", "officeLocation", "onPremisesExtensionAttributes"};
  private static final String[] GROUP_FIELDS = {"id", "displayName", "mail", "mailEnabled", "securityEnabled", "groupTypes"};

  static {
    ERRORS.put("XXX", ODataError::createFromDiscriminatorValue);
  }

  private final TenantId tenant;
  private final TokenStrategy tokens;
  private final Mailbox principal;
  private final String baseUrl;
  private final GraphServiceClient graph;
  private final SessionTokenProvider provider;

  private GraphDirectoryReader(Builder b, TenantId tenant) {
    this.tenant = tenant;
    this.tokens = b.tokens;
    this.baseUrl = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
    this.principal = new Mailbox(new MailboxId(tenant, "directory"), "directory@" + tenant.value(), "m365sync-directory",
        Instant.EPOCH, EnumSet.of(Resource.EVENTS));
    this.provider = new SessionTokenProvider(URI.create(baseUrl).getHost());
    OkHttpClient http = b.http != null ? b.http : GraphMailboxGateway.defaultHttpClient();
    this.graph = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(provider), http);
    graph.getRequestAdapter().setBaseUrl(baseUrl);
  }

  public static Builder builder() {
    return new Builder();
  }

  public TenantId tenant() {
    return tenant;
  }

  // ------------------------------------------------------------------ applications

  @Override
  public Optional<ServicePrincipal> servicePrincipal(AppId appId) {
    JsonNode sp = get(graph.servicePrincipalsWithAppId(appId.value()).toGetRequestInformation(rc ->
        rc.queryParameters.select = new String[] {"id", "appId", "displayName", "appRoles", "oauth2PermissionScopes"}));
    if (sp == null || text(sp, "id") == null) {
      return Optional.empty();
    }
    String name = text(sp, "displayName");
    return Optional.of(new ServicePrincipal(text(sp, "id"), appId, name == null || name.isBlank() ? appId.value() : name,
        definitions(sp.path("appRoles")), definitions(sp.path("oauth2PermissionScopes"))));
  }

  private static List<PermissionDefinition> definitions(JsonNode array) {
    List<PermissionDefinition> out = new ArrayList<>();
    for (JsonNode d : array) {
      String id = text(d, "id");
      String value = text(d, "value");
      if (id != null && !id.isBlank() && value != null && !value.isBlank()) {
        out.add(new PermissionDefinition(id, value));
      }
    }
    return out;
  }

  @Override
  public Optional<AppRegistration> appRegistration(AppId appId) {
    JsonNode app = get(graph.applicationsWithAppId(appId.value()).toGetRequestInformation(rc ->
        rc.queryParameters.select = new String[] {"id", "appId", "displayName", "requiredResourceAccess",
            "passwordCredentials", "keyCredentials"}));
    if (app == null || text(app, "id") == null) {
      return Optional.empty();
    }
    List<RequiredPermission> required = new ArrayList<>();
    for (JsonNode resource : app.path("requiredResourceAccess")) {
      AppId resourceApp;
      try {
        resourceApp = AppId.of(text(resource, "resourceAppId"));
      } catch (RuntimeException e) {
        continue; // not a GUID: nothing we could resolve against
      }
      for (JsonNode access : resource.path("resourceAccess")) {
        String id = text(access, "id");
        String type = text(access, "type");
        if (id != null && !id.isBlank() && type != null) {
          required.add(new RequiredPermission(resourceApp, id,
              type.equalsIgnoreCase("Role") ? RequiredPermission.Type.ROLE : RequiredPermission.Type.SCOPE));
        }
      }
    }
    List<ClientCredential> credentials = new ArrayList<>();
    credentials(app.path("passwordCredentials"), ClientCredential.Kind.SECRET, credentials);
    credentials(app.path("keyCredentials"), ClientCredential.Kind.CERTIFICATE, credentials);
    String name = text(app, "displayName");
    return Optional.of(new AppRegistration(text(app, "id"), appId, name == null || name.isBlank() ? appId.value() : name,
        required, credentials));
  }

  private static void credentials(JsonNode array, ClientCredential.Kind kind, List<ClientCredential> out) {
    for (JsonNode c : array) {
      String keyId = text(c, "keyId");
      Instant end = instant(text(c, "endDateTime"));
      if (keyId != null && !keyId.isBlank() && end != null) {
        out.add(new ClientCredential(keyId, text(c, "displayName"), kind, end));
      }
    }
  }

  @Override
  public List<AppRoleAssignment> appRoleAssignments(String servicePrincipalId) {
    List<JsonNode> values = values(graph.servicePrincipals().byServicePrincipalId(servicePrincipalId).appRoleAssignments()
        .toGetRequestInformation());
    List<AppRoleAssignment> out = new ArrayList<>();
    for (JsonNode a : values) {
      String id = text(a, "id");
      String principalId = text(a, "principalId");
      String resourceId = text(a, "resourceId");
      String roleId = text(a, "appRoleId");
      if (nonBlank(id, principalId, resourceId, roleId)) {
        out.add(new AppRoleAssignment(id, principalId, resourceId, roleId));
      }
    }
    return out;
  }

  @Override
  public List<PermissionGrant> permissionGrants(String servicePrincipalId) {
    String filter = "clientId eq '" + servicePrincipalId.replace("'", "''") + "'";
    List<JsonNode> values = values(graph.oauth2PermissionGrants().toGetRequestInformation(rc ->
        rc.queryParameters.filter = filter));
    List<PermissionGrant> out = new ArrayList<>();
    for (JsonNode g : values) {
      String clientId = text(g, "clientId");
      String resourceId = text(g, "resourceId");
      if (!servicePrincipalId.equals(clientId) || !nonBlank(resourceId)) {
        continue;
      }
      boolean everybody = "AllPrincipals".equalsIgnoreCase(text(g, "consentType"));
      String principalId = text(g, "principalId");
      if (!everybody && (principalId == null || principalId.isBlank())) {
        continue;
      }
      String scope = text(g, "scope");
      out.add(new PermissionGrant(clientId, everybody ? PermissionGrant.ConsentType.ALL_PRINCIPALS
          : PermissionGrant.ConsentType.PRINCIPAL, everybody ? null : principalId, resourceId,
          scope == null ? Set.of() : PermissionGrant.parseScope(scope)));
    }
    return out;
  }

  // ------------------------------------------------------------------ users and groups

  @Override
  public Optional<DirectoryUser> user(String idOrUpn) {
    if (idOrUpn == null || idOrUpn.isBlank()) {
      return Optional.empty();
    }
    JsonNode u = get(graph.users().byUserId(idOrUpn).toGetRequestInformation(rc -> rc.queryParameters.select = USER_FIELDS));
    return Optional.ofNullable(u).flatMap(GraphDirectoryReader::toUser);
  }

  @Override
  public Optional<DirectoryGroup> group(String idOrMail) {
    if (idOrMail == null || idOrMail.isBlank()) {
      return Optional.empty();
    }
    if (idOrMail.contains("@")) {
      String filter = "mail eq '" + idOrMail.replace("'", "''") + "'";
      return values(graph.groups().toGetRequestInformation(rc -> {
        rc.queryParameters.filter = filter;
        rc.queryParameters.select = GROUP_FIELDS;
      })).stream().filter(g -> idOrMail.equalsIgnoreCase(text(g, "mail"))).findFirst().flatMap(GraphDirectoryReader::toGroup);
    }
    if (!GUID.matcher(idOrMail).matches()) {
      return Optional.empty();
    }
    JsonNode g = get(graph.groups().byGroupId(idOrMail).toGetRequestInformation(rc -> rc.queryParameters.select = GROUP_FIELDS));
    return Optional.ofNullable(g).flatMap(GraphDirectoryReader::toGroup);
  }

  @Override
  public Set<String> directMembers(String groupId) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode m : values(graph.groups().byGroupId(groupId).members().toGetRequestInformation(rc ->
        rc.queryParameters.select = new String[] {"id"}))) {
      String id = text(m, "id");
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  /** One call: {@code /groups/{id}/transitiveMembers}, users only. */
  @Override
  public Set<DirectoryUser> transitiveUserMembers(String groupId) {
    Set<DirectoryUser> out = new LinkedHashSet<>();
    for (JsonNode m : values(graph.groups().byGroupId(groupId).transitiveMembers().toGetRequestInformation())) {
      if (isUser(m)) {
        toUser(m).ifPresent(out::add);
      }
    }
    return out;
  }

  /** One call: {@code /users/{id}/transitiveMemberOf}. */
  @Override
  public boolean isTransitiveMember(String groupId, String userId) {
    for (JsonNode g : values(graph.users().byUserId(userId).transitiveMemberOf().toGetRequestInformation())) {
      if (groupId.equalsIgnoreCase(text(g, "id"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUser(JsonNode n) {
    String type = text(n, "@odata.type");
    // without @odata.type (a $select that left it out) a user is told by the properties only users have
    return type != null ? type.equalsIgnoreCase("#microsoft.graph.user")
        : text(n, "userPrincipalName") != null || n.has("userType") || n.has("givenName") || n.has("surname");
  }

  /**
   * A user as the policy module knows it. A member without a {@code userPrincipalName} (not selected,
   * or hidden from the caller) is kept under the best identity it has, its {@code mail} or else its
   * object id: dropping it would silently take it out of every scope group it is in.
   */
  private static Optional<DirectoryUser> toUser(JsonNode u) {
    String id = text(u, "id");
    if (!nonBlank(id)) {
      return Optional.empty();
    }
    String upn = text(u, "userPrincipalName");
    if (!nonBlank(upn)) {
      String mail = text(u, "mail");
      upn = nonBlank(mail) ? mail : id;
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    put(attributes, "Department", text(u, "department"));
    put(attributes, "City", text(u, "city"));
    put(attributes, "CountryOrRegion", text(u, "country"));
    put(attributes, "Company", text(u, "companyName"));
    put(attributes, "Office", text(u, "officeLocation"));
    JsonNode ext = u.path("onPremisesExtensionAttributes");
    for (int i = 1; i <= 15; i++) {
      put(attributes, "CustomAttribute" + i, text(ext, "extensionAttribute" + i));
    }
    return Optional.of(new DirectoryUser(id, upn, attributes));
  }

  private static void put(Map<String, String> attributes, String name, String value) {
    if (value != null && !value.isBlank()) {
      attributes.put(name, value);
    }
  }

  private static Optional<DirectoryGroup> toGroup(JsonNode g) {
    String id = text(g, "id");
    if (!nonBlank(id)) {
      return Optional.empty();
    }
    String name = text(g, "displayName");
    boolean mailEnabled = g.path("mailEnabled").asBoolean(false);
    boolean securityEnabled = g.path("securityEnabled").asBoolean(false);
    boolean unified = false;
    for (JsonNode t : g.path("groupTypes")) {
      unified |= "Unified".equalsIgnoreCase(t.asText());
    }
    GroupKind kind = unified ? GroupKind.MICROSOFT_365
        : mailEnabled && securityEnabled ? GroupKind.MAIL_ENABLED_SECURITY
        : mailEnabled ? GroupKind.DISTRIBUTION : GroupKind.SECURITY;
    return Optional.of(new DirectoryGroup(id, name == null || name.isBlank() ? id : name, text(g, "mail"), kind));
  }

  // ------------------------------------------------------------------ transport

  /** The body of a GET; null for 404 (not found). */
  private JsonNode get(RequestInformation ri) {
    ri.headers.tryAdd("client-request-id", UUID.randomUUID().toString());
    ri.addRequestOptions(List.of(GraphMailboxGateway.NO_RETRY));
    String request = ri.httpMethod + " " + describe(ri);
    AccessToken token = tokens.acquire(principal, Purpose.BACKGROUND_SYNC);
    provider.bind(token.value());
    try (InputStream in = graph.getRequestAdapter().sendPrimitive(ri, ERRORS, InputStream.class)) {
      return in == null ? GraphJsonReader.MAPPER.nullNode() : GraphJsonReader.MAPPER.readTree(in);
    } catch (ApiException e) {
      if (e.getResponseStatusCode() == 404) {
        return null;
      }
      String code = null;
      String message = null;
      if (e instanceof ODataError o && o.getError() != null) {
        code = o.getError().getCode();
        message = o.getError().getMessage();
      }
      throw new GraphDirectoryException(tenant, request, e.getResponseStatusCode(), code, message,
          GraphErrorMapping.requestId(e), null);
    } catch (IOException | RuntimeException e) {
      throw new GraphDirectoryException(tenant, request, 0, null, e.getClass().getSimpleName(), null, e);
    } finally {
      provider.unbind();
    }
  }

  /** Every item of a collection, following {@code @odata.nextLink}; empty for 404. */
  private List<JsonNode> values(RequestInformation first) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode page = get(first);
    while (page != null) {
      page.path("value").forEach(out::add);
      String next = text(page, "@odata.nextLink");
      if (next == null) {
        break;
      }
      RequestInformation ri = new RequestInformation();
      ri.httpMethod = HttpMethod.GET;
      ri.setUri(URI.create(next));
      page = get(ri);
    }
    return out;
  }

  private static String describe(RequestInformation ri) {
    try {
      URI u = ri.getUri();
      return u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
    } catch (Exception e) {
      return "(unresolvable URL)";
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? null : v.asText();
  }

  private static boolean nonBlank(String... values) {
    for (String v : values) {
      if (v == null || v.isBlank()) {
        return false;
      }
    }
    return true;
  }

  private static Instant instant(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return GraphTime.offset(s);
    }
  }

  static TokenStrategy requireApplication(TokenStrategy tokens) {
    Objects.requireNonNull(tokens, "tokens");
    if (tokens.mode() != AuthMode.APPLICATION) {
      throw new IllegalArgumentException("directory reads need an APPLICATION token strategy but 'tokens' is " + tokens.mode());
    }
    return tokens;
  }

  @Override
  public String toString() {
    return "GraphDirectoryReader[" + tenant + " at " + baseUrl + "]";
  }

  /** Single-use builder; {@code tenant} and {@code tokens} are required. */
  public static final class Builder {
    TokenStrategy tokens;
    String baseUrl = DEFAULT_BASE_URL;
    OkHttpClient http;
    private TenantId tenant;

    private Builder() {}

    public Builder tenant(TenantId tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    /** An {@link AuthMode#APPLICATION} strategy (client credentials). */
    public Builder tokens(TokenStrategy tokens) {
      this.tokens = requireApplication(tokens);
      return this;
    }

    /** Graph's base URL (default {@code https://graph.microsoft.com/v1.0}). */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Endpoints.requireSecure("baseUrl", Objects.requireNonNull(baseUrl, "baseUrl"));
      return this;
    }

    /** The HTTP client; share the gateway's (see {@link GraphDirectorySource.Builder#httpClient}). */
    public Builder httpClient(OkHttpClient http) {
      this.http = Objects.requireNonNull(http, "httpClient");
      return this;
    }

    public GraphDirectoryReader build() {
      if (tenant == null) {
        throw new IllegalStateException("'tenant' is required.");
      }
      return buildFor(tenant);
    }

    GraphDirectoryReader buildFor(TenantId forTenant) {
      if (tokens == null) {
        throw new IllegalStateException("'tokens' is required.");
      }
      return new GraphDirectoryReader(this, forTenant);
    }
  }
}
