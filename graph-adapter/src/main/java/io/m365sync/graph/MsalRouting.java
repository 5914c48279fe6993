package io.m365sync.graph;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MSAL's HTTP seam: sends every MSAL request to {@code baseUrl} instead of the authority host,
 * keeping path and query (so MSAL keeps the real authority and its token cache works, and nothing
 * reaches the cloud). For emulators and for hosts whose token traffic goes through a gateway.
 */
final class MsalRouting implements IHttpClient {
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private final URI baseUrl;
  private final HttpClient http;
  private final Duration timeout;

  MsalRouting(URI baseUrl, Duration timeout) {
    String s = baseUrl.toString();
    this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  @Override
  public IHttpResponse send(HttpRequest request) throws Exception {
    URL original = request.url();
    String target = baseUrl + original.getPath() + (original.getQuery() != null ? "?" + original.getQuery() : "");
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(target)).timeout(timeout);
    if (request.headers() != null) {
      for (Map.Entry<String, String> h : request.headers().entrySet()) {
        if (h.getValue() != null && !RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          b.header(h.getKey(), h.getValue());
        }
      }
    }
    String body = request.body();
    switch (request.httpMethod()) {
      case POST -> b.POST(java.net.http.HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
      case GET -> b.GET();
      default -> b.method(request.httpMethod().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
          : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    }
    java.net.http.HttpResponse<String> r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    HttpResponse out = new HttpResponse().statusCode(r.statusCode()).body(r.body());
    Map<String, List<String>> headers = r.headers().map();
    out.addHeaders(headers);
    return out;
  }

  @Override
  public String toString() {
    return "MsalRouting[" + baseUrl + "]";
  }
}
