package io.m365sync.testkit.model;

import java.security.cert.X509Certificate;

/**
 * How a client proves itself at the token endpoint: nothing (a public client), a client secret, or a
 * certificate assertion. Its {@code toString()} never shows a secret.
 */
public sealed interface ClientCredential {

  /** A public client: no proof. Enough for delegated grants, refused for client credentials. */
  static ClientCredential none() {
    return None.INSTANCE;
  }

  static ClientCredential secret(String value) {
    return new Secret(value);
  }

  /**
   * A signed client assertion (RFC 7523), already checked by the caller.
   *
   * @param signedBy the registered certificate whose key signed it, or null when no registered
   *     certificate did or its claims were wrong (Entra answers AADSTS700027)
   */
  static ClientCredential assertion(X509Certificate signedBy) {
    return new Assertion(signedBy, null);
  }

  /**
   * A client assertion the front end refused while verifying it (wrong audience, outside its time
   * range, unknown certificate, bad signature); the model answers {@code refusal} once it has found
   * the app, as Entra does.
   */
  static ClientCredential refusedAssertion(EntraError refusal) {
    return new Assertion(null, java.util.Objects.requireNonNull(refusal, "refusal"));
  }

  /** A public client. */
  enum None implements ClientCredential { INSTANCE }

  /** A client secret; its value stays out of {@link #toString()}. */
  record Secret(String value) implements ClientCredential {
    @Override
    public String toString() {
      return "Secret[<redacted>]";
    }
  }

  /**
   * A certificate assertion; {@code signedBy} is null when it failed verification, with Entra's
   * {@code refusal} when the verifier said why (else AADSTS700027).
   */
  record Assertion(X509Certificate signedBy, EntraError refusal) implements ClientCredential {
    @Override
    public String toString() {
      return "Assertion[" + (signedBy != null ? signedBy.getSubjectX500Principal()
          : refusal != null ? "refused " + refusal.aadsts() : "unverified") + "]";
    }
  }
}
