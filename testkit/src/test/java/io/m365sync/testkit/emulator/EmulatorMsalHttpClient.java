package io.m365sync.testkit.emulator;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How MSAL runs against the emulator: MSAL keeps its real https authority (so its cache works) and this
 * client sends every MSAL request to the emulator instead, so nothing can reach the cloud.
 */
final class EmulatorMsalHttpClient implements IHttpClient {
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");
  private final String base;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  EmulatorMsalHttpClient(String loginBaseUrl) {
    this.base = loginBaseUrl;
  }

  @Override
  public IHttpResponse send(HttpRequest request) throws Exception {
    String path = request.url().getFile();
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(20));
    if (request.headers() != null) {
      request.headers().forEach((k, v) -> {
        if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
          b.header(k, v);
        }
      });
    }
    String body = request.body();
    b.method(request.httpMethod().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    com.microsoft.aad.msal4j.HttpResponse out = new com.microsoft.aad.msal4j.HttpResponse();
    Map<String, List<String>> headers = new HashMap<>(r.headers().map());
    out.addHeaders(headers);
    return out.statusCode(r.statusCode()).body(r.body());
  }
}
