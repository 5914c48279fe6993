package io.m365sync.testkit.emulator;

import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.ClientSecret;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Entra ID's v2.0 token endpoint ({@code POST /{tenant}/oauth2/v2.0/token}) and a non-interactive
 * authorize endpoint, over the tenant model's token rules. Errors come in Entra's JSON shape.
 */
final class TokenEndpoint {
  static final String GRAPH_RESOURCE = "https://graph.microsoft.com/";
  private static final Set<String> OIDC = Set.of("openid", "profile", "offline_access", "email");
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private record AuthCode(String tenantId, String userId, String clientId) {}

  private final CloudModel cloud;
  private final Supplier<String> baseUrl;
  private final DirectoryApi directory;
  private final Map<String, AuthCode> codes = new ConcurrentHashMap<>();

  TokenEndpoint(CloudModel cloud, Supplier<String> baseUrl, DirectoryApi directory) {
    this.cloud = cloud;
    this.baseUrl = baseUrl;
    this.directory = directory;
  }

  /** A one-time authorization code, as if the user had just signed in to the add-in. */
  String newCode(TenantModel tenant, ModelUser user, String clientId) {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String code = "0.AAAA" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    codes.put(code, new AuthCode(tenant.tenantId(), user.objectId(), clientId));
    return code;
  }

  Resp token(Req req, String tenantSegment) {
    String correlation = Optional.ofNullable(req.header("client-request-id")).orElse(UUID.randomUUID().toString());
    try {
      if (!req.method().equals("POST")) {
        throw EntraError.badRequest("invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests. Received a "
            + req.method() + " request.");
      }
      TenantModel tenant = cloud.tenantForToken(tenantSegment);
      Map<String, String> form = req.form();
      String grant = require(form, "grant_type");
      String clientId = require(form, "client_id");
      TokenResponse token;
      List<String> scopes = scopes(form.get("scope"));
      switch (grant) {
        case "client_credentials" -> {
          if (scopes.stream().noneMatch(s -> s.endsWith("/.default"))) {
            throw EntraError.badRequest("invalid_scope", 1002012, "The provided value for scope " + String.join(" ", scopes)
                + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier"
                + " (application ID URI).");
          }
          token = clientCredentials(tenant, tenantSegment, form, clientId);
        }
        case "refresh_token" -> {
          authenticateClient(tenant, tenantSegment, form, clientId);
          token = tenant.refresh(clientId, require(form, "refresh_token"));
        }
        case "authorization_code" -> {
          authenticateClient(tenant, tenantSegment, form, clientId);
          AuthCode code = codes.remove(require(form, "code"));
          if (code == null || !code.tenantId().equals(tenant.tenantId()) || !code.clientId().equals(clientId)) {
            throw EntraError.invalidGrant(70000, "The provided authorization code is invalid or has expired.", null);
          }
          ModelUser user = tenant.user(code.userId());
          token = tenant.signIn(user, clientId);
          directory.recordUserConsent(tenant.tenantId(), clientId, user.objectId());
        }
        default -> throw EntraError.badRequest("unsupported_grant_type", 70003,
            "The app requested an unsupported grant type '" + grant + "'.");
      }
      return Resp.json(200, tokenJson(token, scopes));
    } catch (EntraError e) {
      return entraError(e, correlation);
    }
  }

  private static String require(Map<String, String> form, String name) {
    String v = form.get(name);
    if (v == null || v.isBlank()) {
      throw EntraError.badRequest("invalid_request", 900144, "The request body must contain the following parameter: '" + name + "'.");
    }
    return v;
  }

  private static List<String> scopes(String scope) {
    List<String> out = new ArrayList<>();
    if (scope != null) {
      for (String s : scope.trim().split("\\s+")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private List<String> audiences(TenantModel tenant, String segment) {
    List<String> out = new ArrayList<>();
    for (String host : List.of("https://login.microsoftonline.com", baseUrl.get())) {
      for (String t : new LinkedHashSet<>(List.of(segment, tenant.tenantId(), tenant.domain()))) {
        out.add(host + "/" + t + "/oauth2/v2.0/token");
        out.add(host + "/" + t + "/oauth2/token");
      }
    }
    return out;
  }

  private X509Certificate assertedCertificate(TenantModel tenant, String segment, Map<String, String> form, String clientId) {
    if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
      throw EntraError.badRequest("invalid_request", 50027, "Invalid client_assertion_type: expected "
          + "'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");
    }
    List<X509Certificate> registered = tenant.app(clientId).map(AppRegistration::certificates).orElse(List.of());
    return ClientAssertion.verify(form.get("client_assertion"), clientId, registered, audiences(tenant, segment));
  }

  private TokenResponse clientCredentials(TenantModel tenant, String segment, Map<String, String> form, String clientId) {
    if (form.get("client_assertion") != null) {
      return tenant.clientCertificate(clientId, assertedCertificate(tenant, segment, form, clientId));
    }
    if (form.get("client_secret") != null) {
      return tenant.clientCredentials(clientId, form.get("client_secret"));
    }
    throw new EntraError(401, "invalid_client", 7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", null);
  }

  /** Confidential clients prove themselves on refresh and code redemption too; public clients send nothing. */
  private void authenticateClient(TenantModel tenant, String segment, Map<String, String> form, String clientId) {
    Optional<AppRegistration> app = tenant.app(clientId);
    if (app.isEmpty()) {
      return; // the model answers AADSTS700016
    }
    if (form.get("client_secret") != null) {
      Optional<ClientSecret> match = app.get().secrets().stream().filter(s -> s.value().equals(form.get("client_secret"))).findFirst();
      if (match.isEmpty()) {
        throw EntraError.invalidClient(7000215, "Invalid client secret provided. Ensure the secret being sent in the request is"
            + " the client secret value, not the client secret ID, for a secret added to app '" + clientId + "'.");
      }
      if (!match.get().endDateTime().isAfter(cloud.clock().instant())) {
        throw EntraError.invalidClient(7000222, "The provided client secret keys for app '" + clientId
            + "' are expired. Visit the Azure portal to create new keys for your app.");
      }
    } else if (form.get("client_assertion") != null) {
      X509Certificate cert = assertedCertificate(tenant, segment, form, clientId);
      if (cert == null || !cert.getNotAfter().toInstant().isAfter(cloud.clock().instant())) {
        throw EntraError.invalidClient(700027, "Client assertion failed signature validation.");
      }
    }
  }

  private byte[] tokenJson(TokenResponse t, List<String> requested) {
    boolean delegated = t.refreshToken() != null || t.idToken() != null;
    String scope = delegated ? grantedScope(t, requested) : null;
    return Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("token_type", "Bearer");
      if (scope != null) {
        g.writeStringField("scope", scope);
      }
      g.writeNumberField("expires_in", t.expiresInSeconds());
      g.writeNumberField("ext_expires_in", t.expiresInSeconds());
      g.writeStringField("access_token", t.accessToken());
      if (t.refreshToken() != null) {
        g.writeStringField("refresh_token", t.refreshToken());
      }
      if (t.idToken() != null) {
        g.writeStringField("id_token", t.idToken());
        String info = "{\"uid\":\"" + t.claims().objectId() + "\",\"utid\":\"" + t.claims().tenantId() + "\"}";
        g.writeStringField("client_info", Base64.getUrlEncoder().withoutPadding().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
      }
      g.writeEndObject();
    });
  }

  /**
   * The scope string of a delegated response, echoing the requested form of each granted scope;
   * a requested scope the grant lacks is AADSTS65001, as Entra answers for missing consent.
   */
  private static String grantedScope(TokenResponse t, List<String> requested) {
    Set<String> granted = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    granted.addAll(t.claims().permissions());
    List<String> out = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String s : requested) {
      if (OIDC.contains(s.toLowerCase(Locale.ROOT))) {
        continue;
      }
      String name = s.substring(s.lastIndexOf('/') + 1);
      if (name.equals(".default")) {
        String prefix = s.substring(0, s.length() - ".default".length());
        granted.forEach(p -> out.add(prefix + p));
      } else if (granted.contains(name)) {
        out.add(s);
      } else {
        missing.add(s);
      }
    }
    if (!missing.isEmpty()) {
      throw EntraError.invalidGrant(65001, "The user or administrator has not consented to use the application with ID '"
          + t.claims().clientId() + "' named '" + t.claims().clientId() + "'. Send an interactive authorization request for this"
          + " user and resource.", "consent_required");
    }
    if (out.isEmpty()) {
      granted.forEach(p -> out.add(GRAPH_RESOURCE + p));
    }
    return String.join(" ", out);
  }

  static Resp entraError(EntraError e, String correlationId) {
    String traceId = UUID.randomUUID().toString();
    String timestamp = TIMESTAMP.format(Instant.now());
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("error", e.error());
      g.writeStringField("error_description", e.description() + "\r\nTrace ID: " + traceId + "\r\nCorrelation ID: "
          + correlationId + "\r\nTimestamp: " + timestamp);
      g.writeArrayFieldStart("error_codes");
      g.writeNumber(e.code());
      g.writeEndArray();
      g.writeStringField("timestamp", timestamp);
      g.writeStringField("trace_id", traceId);
      g.writeStringField("correlation_id", correlationId);
      g.writeStringField("error_uri", "https://login.microsoftonline.com/error?code=" + e.code());
      if (e.suberror() != null) {
        g.writeStringField("suberror", e.suberror());
      }
      g.writeEndObject();
    });
    Resp r = Resp.json(e.status(), body).header("Cache-Control", "no-store, no-cache").header("x-ms-request-id", traceId);
    if (e.status() == 429 || e.status() == 503) {
      r.header("Retry-After", "1");
    }
    return r;
  }

  /**
   * {@code GET /{tenant}/oauth2/v2.0/authorize}: signs in the {@code login_hint} user without a UI and
   * redirects to {@code redirect_uri} with a code, as the add-in sign-in would.
   */
  Resp authorize(Req req, String tenantSegment) {
    String correlation = UUID.randomUUID().toString();
    try {
      TenantModel tenant = cloud.tenantForToken(tenantSegment);
      String clientId = require(req.query(), "client_id");
      String redirect = require(req.query(), "redirect_uri");
      String hint = require(req.query(), "login_hint");
      if (tenant.app(clientId).isEmpty()) {
        throw new EntraError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
            + "' was not found in the directory '" + tenant.tenantId() + "'.", null);
      }
      ModelUser user = tenant.findUser(hint).orElseThrow(() -> EntraError.badRequest("invalid_request", 50034,
          "The user account does not exist in the directory."));
      String code = newCode(tenant, user, clientId);
      String state = req.param("state");
      String location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + URLEncoder.encode(code, StandardCharsets.UTF_8)
          + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8))
          + "&session_state=" + UUID.randomUUID();
      return Resp.empty(302).header("Location", location);
    } catch (EntraError e) {
      return entraError(e, correlation);
    }
  }

  /** {@code GET /{tenant}/v2.0/.well-known/openid-configuration}, pointing at this emulator. */
  Resp openIdConfiguration(String tenantSegment) {
    String correlation = UUID.randomUUID().toString();
    try {
      TenantModel tenant = cloud.tenantForToken(tenantSegment);
      String base = baseUrl.get() + "/" + tenant.tenantId();
      return Resp.json(200, Json.write(g -> {
        g.writeStartObject();
        g.writeStringField("token_endpoint", base + "/oauth2/v2.0/token");
        g.writeStringField("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        g.writeStringField("issuer", "https://login.microsoftonline.com/" + tenant.tenantId() + "/v2.0");
        g.writeStringField("jwks_uri", base + "/discovery/v2.0/keys");
        g.writeArrayFieldStart("response_types_supported");
        g.writeString("code");
        g.writeEndArray();
        g.writeEndObject();
      }));
    } catch (EntraError e) {
      return entraError(e, correlation);
    }
  }
}
