package io.m365sync.graph;

import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import java.net.URI;
import java.util.Map;

/**
 * The kiota token provider of one {@code GraphServiceClient}: hands out the token of the session
 * whose request is being sent on this thread (the SDK authenticates synchronously on the sending
 * thread), and only to allowed hosts — an empty token for any other host, so a token never leaves
 * for a host nobody configured.
 */
final class SessionTokenProvider implements AccessTokenProvider {
  private final AllowedHostsValidator hosts;
  private final ThreadLocal<String> current = new ThreadLocal<>();

  SessionTokenProvider(String... allowedHosts) {
    this.hosts = new AllowedHostsValidator(allowedHosts);
  }

  void bind(String token) {
    current.set(token);
  }

  void unbind() {
    current.remove();
  }

  @Override
  public String getAuthorizationToken(URI uri, Map<String, Object> additionalAuthenticationContext) {
    if (uri == null || !hosts.isUrlHostValid(uri)) {
      return "";
    }
    String token = current.get();
    return token == null ? "" : token;
  }

  @Override
  public AllowedHostsValidator getAllowedHostsValidator() {
    return hosts;
  }

  @Override
  public String toString() {
    return "SessionTokenProvider[hosts=" + hosts.getAllowedHosts() + "]";
  }
}
