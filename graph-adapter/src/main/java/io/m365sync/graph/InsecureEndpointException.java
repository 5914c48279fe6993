package io.m365sync.graph;

/**
 * A configured endpoint would send tokens or secrets in clear text: an {@code http://} URL for a
 * host other than the loopback interface. Names the setting and the URL (which holds no secret).
 */
public final class InsecureEndpointException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  InsecureEndpointException(String setting, String url) {
    super("'" + setting + "' must use https for a host other than localhost/127.0.0.1/[::1] (tokens and client secrets"
        + " would cross the network in clear text) but was '" + url + "'");
    this.setting = setting;
  }

  /** The builder setting holding the insecure URL, e.g. {@code routeTokenRequestsTo}. */
  public String setting() {
    return setting;
  }
}
