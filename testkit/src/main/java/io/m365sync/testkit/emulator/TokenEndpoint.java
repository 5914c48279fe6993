package io.m365sync.testkit.emulator;

import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.ClientCredential;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenRequest;
import io.m365sync.testkit.model.TokenResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Entra ID's v2.0 token endpoint ({@code POST /{tenant}/oauth2/v2.0/token}) and a non-interactive
 * authorize endpoint, over the tenant model's token rules. Errors come in Entra's JSON shape.
 */
final class TokenEndpoint {
  static final String GRAPH_RESOURCE = "https://graph.microsoft.com/";
  /** MSAL stamps client assertions with the JVM's clock, as Entra judges them by its real one; not the model's. */
  private static final java.time.Clock ASSERTION_CLOCK = java.time.Clock.systemUTC();
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final CloudModel cloud;
  private final Supplier<String> baseUrl;
  private final DirectoryApi directory;

  TokenEndpoint(CloudModel cloud, Supplier<String> baseUrl, DirectoryApi directory) {
    this.cloud = cloud;
    this.baseUrl = baseUrl;
    this.directory = directory;
  }

  /**
   * Parses the form into a {@link TokenRequest} and lets the model judge it: the model records every
   * request, whatever its outcome, so nothing here may refuse a request without passing it on.
   */
  Resp token(Req req, String tenantSegment) {
    String correlation = Optional.ofNullable(req.header("client-request-id")).orElse(UUID.randomUUID().toString());
    Map<String, String> form = req.method().equals("POST") ? req.form() : Map.of();
    List<String> scopes = scopes(form.get("scope"));
    String clientId = form.get("client_id");
    EntraError malformed = null;
    if (!req.method().equals("POST")) {
      malformed = EntraError.badRequest("invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests."
          + " Received a " + req.method() + " request.");
    } else if (form.get("client_assertion") != null
        && !"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
      malformed = EntraError.badRequest("invalid_request", 50027, "Invalid client_assertion_type: expected "
          + "'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");
    }
    TokenRequest request = new TokenRequest(form.get("grant_type"), clientId,
        malformed == null ? credential(tenantSegment, form, clientId) : ClientCredential.none(), form.get("refresh_token"),
        form.get("code"), scopes, malformed);
    try {
      TokenResponse token = cloud.token(tenantSegment, request);
      if ("authorization_code".equals(request.grantType())) {
        directory.recordUserConsent(token.claims().tenantId(), clientId, token.claims().objectId());
      }
      return Resp.json(200, tokenJson(token, scopes));
    } catch (EntraError e) {
      return entraError(e, correlation);
    }
  }

  /** The client's proof: a certificate assertion (verified here, where the token URL is known), a secret, or none. */
  private ClientCredential credential(String tenantSegment, Map<String, String> form, String clientId) {
    if (form.get("client_assertion") != null) {
      Optional<TenantModel> tenant = cloud.findTenant(tenantSegment);
      List<X509Certificate> registered = tenant.flatMap(t -> t.app(clientId == null ? "" : clientId))
          .map(AppRegistration::certificates).orElse(List.of());
      return tenant.isEmpty() || clientId == null ? ClientCredential.assertion(null)
          : ClientAssertion.verify(form.get("client_assertion"), clientId, registered, audiences(tenant.get(), tenantSegment),
              ASSERTION_CLOCK.instant());
    }
    if (form.get("client_secret") != null) {
      return ClientCredential.secret(form.get("client_secret"));
    }
    return ClientCredential.none();
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
   * The scope string of a delegated response, echoing the requested form of each granted scope (the
   * model has already refused a request for a scope the grant lacks, AADSTS65001).
   */
  private static String grantedScope(TokenResponse t, List<String> requested) {
    Set<String> granted = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    granted.addAll(t.claims().permissions());
    List<String> out = new ArrayList<>();
    for (String s : requested) {
      String name = s.substring(s.lastIndexOf('/') + 1);
      if (TokenRequest.OIDC_SCOPES.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      if (name.equals(".default")) {
        String prefix = s.substring(0, s.length() - ".default".length());
        granted.forEach(p -> out.add(prefix + p));
      } else if (granted.contains(name)) {
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      granted.forEach(p -> out.add(GRAPH_RESOURCE + p));
    }
    return String.join(" ", out);
  }

  static Resp entraError(EntraError e, String correlationId) {
    switch (e.answer()) {
      case EMPTY_BODY -> {
        return Resp.empty(e.status());
      }
      case HTML_PAGE -> {
        return Resp.text(e.status(), "text/html", "<html>\r\n<head><title>" + e.status() + " Bad Gateway</title></head>\r\n"
            + "<body>\r\n<center><h1>" + e.status() + " Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n");
      }
      case UNREADABLE_BODY -> {
        // a token response cut off before its token: what a client reads when a proxy truncates the answer
        return Resp.text(200, "application/json; charset=utf-8", "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"acc");
      }
      default -> {
        return entraErrorJson(e, correlationId);
      }
    }
  }

  private static Resp entraErrorJson(EntraError e, String correlationId) {
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
      if (e.claims() != null) {
        g.writeStringField("claims", e.claims());
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
      String code = tenant.authorizationCode(user, clientId);
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
