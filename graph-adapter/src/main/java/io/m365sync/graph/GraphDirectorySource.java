package io.m365sync.graph;

import io.m365sync.TenantId;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.policy.DirectorySource;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;

/**
 * {@link DirectorySource} over Microsoft Graph: one {@link GraphDirectoryReader} per tenant, built on
 * first use and kept, all sharing one {@link OkHttpClient} and one application {@link TokenStrategy}
 * (whose cache holds one app-only token per tenant).
 *
 * <pre>{@code
 * DirectorySource directories = GraphDirectorySource.builder().tokens(applicationStrategy).build();
 * ReadinessDoctor doctor = new ReadinessDoctor(appId, directories, policies, clock);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class GraphDirectorySource implements DirectorySource {
  private final GraphDirectoryReader.Builder template;
  private final OkHttpClient http;
  private final ConcurrentHashMap<TenantId, GraphDirectoryReader> readers = new ConcurrentHashMap<>();

  private GraphDirectorySource(Builder b) {
    this.http = b.http != null ? b.http : GraphMailboxGateway.defaultHttpClient();
    this.template = GraphDirectoryReader.builder().tokens(b.tokens).baseUrl(b.baseUrl).httpClient(http);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The reader of {@code tenant}; the same instance on every call. */
  @Override
  public GraphDirectoryReader directory(TenantId tenant) {
    Objects.requireNonNull(tenant, "tenant");
    return readers.computeIfAbsent(tenant, template::buildFor);
  }

  @Override
  public String toString() {
    return "GraphDirectorySource[" + template.baseUrl + ", tenants=" + readers.keySet() + "]";
  }

  /** Single-use builder; {@code tokens} is required. */
  public static final class Builder {
    private TokenStrategy tokens;
    private String baseUrl = GraphDirectoryReader.DEFAULT_BASE_URL;
    private OkHttpClient http;

    private Builder() {}

    /** An application-mode strategy (client credentials); directory reads need app-only tokens. */
    public Builder tokens(TokenStrategy tokens) {
      this.tokens = GraphDirectoryReader.requireApplication(tokens);
      return this;
    }

    /** Graph's base URL (default {@code https://graph.microsoft.com/v1.0}; national clouds and the emulator differ). */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Endpoints.requireSecure("baseUrl", Objects.requireNonNull(baseUrl, "baseUrl"));
      return this;
    }

    /**
     * The HTTP client (default: the Graph SDK's middleware with its retry handler off); share the
     * gateway's. The one OkHttp type in this module's public API, so that hosts can pass their
     * proxy, TLS and pool settings.
     */
    public Builder httpClient(OkHttpClient http) {
      this.http = Objects.requireNonNull(http, "httpClient");
      return this;
    }

    public GraphDirectorySource build() {
      if (tokens == null) {
        throw new IllegalStateException("'tokens' is required.");
      }
      return new GraphDirectorySource(this);
    }
  }
}
