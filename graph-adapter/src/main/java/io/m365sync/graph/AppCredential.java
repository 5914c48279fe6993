package io.m365sync.graph;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.IClientCredential;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.time.Instant;
import com.microsoft.aad.msal4j.AssertionRequestOptions;

/**
 * The application's own credential for the client-credentials and code-redemption flows: a client
 * secret, or a certificate with its private key (from PEM files, a PKCS#12 file, or objects).
 * Immutable; {@link #toString()} names the kind and, for certificates, the SHA-256 thumbprint —
 * never the secret or key.
 */
public final class AppCredential {
  private final String secret;
  private final PrivateKey key;
  private final List<X509Certificate> chain;

  private AppCredential(String secret, PrivateKey key, List<X509Certificate> chain) {
    this.secret = secret;
    this.key = key;
    this.chain = chain;
  }

  /** A client secret (the secret's value, not its id). */
  public static AppCredential secret(String clientSecret) {
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException("'clientSecret' is required but was blank");
    }
    return new AppCredential(clientSecret, null, List.of());
  }

  /**
   * A certificate credential: {@code chain.get(0)} is the certificate registered on the app, signed
   * by {@code key}; the rest of the chain is optional.
   */
  public static AppCredential certificate(PrivateKey key, List<X509Certificate> chain) {
    Objects.requireNonNull(key, "key");
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("'chain' must hold at least the app's certificate");
    }
    return new AppCredential(null, key, List.copyOf(chain));
  }

  /**
   * A certificate credential from PEM files: an unencrypted PKCS#8 private key
   * ({@code BEGIN PRIVATE KEY}, RSA or EC) and the certificate (chain) file.
   *
   * @throws IllegalArgumentException naming the file, never its content, when a file cannot be read
   */
  public static AppCredential pem(Path privateKeyPem, Path certificatePem) {
    PrivateKey key = readPkcs8(privateKeyPem);
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(certificatePem)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the certificate PEM file " + certificatePem + ": "
          + e.getClass().getSimpleName(), null);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the certificate PEM file " + certificatePem + " holds no certificate");
    }
    return certificate(key, chain);
  }

  /**
   * A certificate credential from a PKCS#12 file holding one private key entry.
   *
   * @throws IllegalArgumentException naming the file, never its content, when it cannot be opened
   */
  public static AppCredential pkcs12(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      for (String alias : Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          PrivateKey key = (PrivateKey) ks.getKey(alias, password);
          List<X509Certificate> chain = new ArrayList<>();
          for (Certificate c : ks.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
          }
          return certificate(key, chain);
        }
      }
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("cannot open the PKCS#12 file " + file + " (wrong password or format): "
          + e.getClass().getSimpleName(), null);
    }
    throw new IllegalArgumentException("the PKCS#12 file " + file + " holds no private key entry");
  }

  private static PrivateKey readPkcs8(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the private key PEM file " + file + ": "
          + e.getClass().getSimpleName(), null);
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("the private key PEM file " + file
          + " must hold an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert with 'openssl pkcs8 -topk8 -nocrypt'");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the private key PEM file " + file + " is not valid base64", null);
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("the private key in " + file + " is neither an RSA nor an EC PKCS#8 key");
  }

  boolean isCertificate() {
    return key != null;
  }

  /** The SHA-256 thumbprint of the app's certificate, hex; null for a secret. */
  public String thumbprint() {
    if (chain.isEmpty()) {
      return null;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded()));
    } catch (GeneralSecurityException e) {
      return "unavailable";
    }
  }

  IClientCredential toMsal() {
    if (secret != null) {
      return ClientCredentialFactory.createFromSecret(secret);
    }
    // RFC 7515 headers (x5t#S256 base64url); MSAL's own certificate credential sends standard base64
    return ClientCredentialFactory.createFromCallback((AssertionRequestOptions o) -> assertion(o.clientId(), o.tokenEndpoint()));
  }

  /** A signed RS256 client assertion for {@code audience}, valid 10 minutes (system clock: Entra checks it). */
  String assertion(String clientId, String audience) {
    try {
      Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
      String x5t = url.encodeToString(MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded()));
      StringBuilder x5c = new StringBuilder();
      for (X509Certificate c : chain) {
        x5c.append(x5c.length() == 0 ? "" : ",").append('"').append(Base64.getEncoder().encodeToString(c.getEncoded())).append('"');
      }
      String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"" + x5t + "\",\"x5c\":[" + x5c + "]}";
      long now = Instant.now().getEpochSecond();
      String claims = "{\"aud\":" + quote(audience) + ",\"iss\":" + quote(clientId) + ",\"sub\":" + quote(clientId)
          + ",\"jti\":\"" + UUID.randomUUID() + "\",\"nbf\":" + now + ",\"iat\":" + now + ",\"exp\":" + (now + 600) + "}";
      String input = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
          + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + url.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a client assertion with the configured certificate key ("
          + key.getAlgorithm() + "); Entra needs an RSA key: " + e.getClass().getSimpleName(), null);
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * Equal when they hold the same secret, or the same key and certificate chain: how the token
   * strategies tell a rotated credential from the one they already built a client for.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof AppCredential c && Objects.equals(secret, c.secret) && Objects.equals(key, c.key)
        && chain.equals(c.chain);
  }

  @Override
  public int hashCode() {
    return Objects.hash(secret, key, chain);
  }

  @Override
  public String toString() {
    return secret != null ? "AppCredential[client secret]" : "AppCredential[certificate sha256=" + thumbprint() + "]";
  }
}
