package io.m365sync.examples.bench;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a CRM team writes to point MSAL at a test endpoint: every request goes to the emulator. */
final class EmulatorHttpClient implements IHttpClient {
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;

  EmulatorHttpClient(String loginBaseUrl) {
    this.base = URI.create(loginBaseUrl);
  }

  @Override
  public IHttpResponse send(HttpRequest request) throws Exception {
    URI target = base.resolve(request.url().getPath() + (request.url().getQuery() == null ? "" : "?" + request.url().getQuery()));
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(target);
    request.headers().forEach((k, v) -> {
      if (!RESTRICTED.contains(k.toLowerCase())) {
        b.header(k, v);
      }
    });
    String body = request.body();
    b.method(request.httpMethod().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    Map<String, List<String>> headers = new HashMap<>(r.headers().map());
    return new IHttpResponse() {
      @Override
      public int statusCode() {
        return r.statusCode();
      }

      @Override
      public Map<String, List<String>> headers() {
        return headers;
      }

      @Override
      public String body() {
        return r.body();
      }
    };
  }
}
