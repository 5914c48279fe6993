package io.m365sync.graph;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.IClientCertificate;
import com.microsoft.aad.msal4j.IClientCredential;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The application's own credential for the client-credentials and code-redemption flows: a client
 * secret, or a certificate with its private key (from PEM files, a PKCS#12 file, or objects). A
 * certificate becomes MSAL's own certificate credential, so the client assertion Entra sees is the
 * one MSAL signs for every MSAL user. Immutable; {@link #toString()} names the kind and, for
 * certificates, the SHA-256 thumbprint — never the secret or key.
 */
public final class AppCredential {
  private final IClientCredential msal;
  private final X509Certificate certificate;
  /** What makes two credentials the same: the secret, or the key with its chain (never shown). */
  private final Object identity;

  private AppCredential(IClientCredential msal, X509Certificate certificate, Object identity) {
    this.msal = msal;
    this.certificate = certificate;
    this.identity = identity;
  }

  /** A client secret (the secret's value, not its id). */
  public static AppCredential secret(String clientSecret) {
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException("'clientSecret' is required but was blank");
    }
    return new AppCredential(ClientCredentialFactory.createFromSecret(clientSecret), null, clientSecret);
  }

  /**
   * A certificate credential: {@code chain.get(0)} is the certificate registered on the app, signed
   * by {@code key} (RSA: Entra's assertions are RS256); the rest of the chain is optional and is sent
   * in the assertion's {@code x5c} header.
   */
  public static AppCredential certificate(PrivateKey key, List<X509Certificate> chain) {
    Objects.requireNonNull(key, "key");
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("'chain' must hold at least the app's certificate");
    }
    requireRsa(key.getAlgorithm(), "the private key");
    return new AppCredential(chain.size() == 1 ? ClientCredentialFactory.createFromCertificate(key, chain.get(0))
        : ClientCredentialFactory.createFromCertificateChain(key, List.copyOf(chain)), chain.get(0),
        List.of(key, List.copyOf(chain)));
  }

  /**
   * A certificate credential from PEM files: an unencrypted PKCS#8 RSA private key
   * ({@code BEGIN PRIVATE KEY}) and the certificate (chain) file.
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
   * A certificate credential from a PKCS#12 file holding exactly one private key entry, loaded by
   * MSAL's own PKCS#12 reader.
   *
   * @throws IllegalArgumentException naming the file, never its content, when it cannot be opened
   */
  public static AppCredential pkcs12(Path file, char[] password) {
    IClientCertificate cert;
    try (InputStream in = Files.newInputStream(file)) {
      // MSAL takes the password as a String; the copy lives as long as this call
      cert = ClientCredentialFactory.createFromCertificate(in, password == null ? null : CharBuffer.wrap(password).toString());
    } catch (IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("cannot open the PKCS#12 file " + file + " (wrong password, format, or not exactly"
          + " one private key entry): " + e.getClass().getSimpleName(), null);
    }
    X509Certificate leaf;
    List<String> encodedChain;
    try {
      encodedChain = List.copyOf(cert.getEncodedPublicKeyCertificateChain());
      requireRsa(cert.privateKey().getAlgorithm(), "the private key in " + file);
      leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(
          Base64.getDecoder().decode(encodedChain.get(0))));
    } catch (GeneralSecurityException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("the PKCS#12 file " + file + " holds no readable certificate: "
          + e.getClass().getSimpleName(), null);
    }
    return new AppCredential(cert, leaf, List.of(cert.privateKey(), encodedChain));
  }

  private static void requireRsa(String algorithm, String what) {
    if (!"RSA".equalsIgnoreCase(algorithm)) {
      throw new IllegalArgumentException(what + " is " + algorithm + "; Entra's certificate credentials need an RSA key");
    }
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
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key in " + file + " is not an RSA PKCS#8 key;"
          + " Entra's certificate credentials need RSA", null);
    }
  }

  /** The SHA-256 thumbprint of the app's certificate, hex; null for a secret. */
  public String thumbprint() {
    if (certificate == null) {
      return null;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      return "unavailable";
    }
  }

  IClientCredential toMsal() {
    return msal;
  }

  /**
   * Equal when they hold the same secret, or the same key and certificate chain: how the token
   * strategies tell a rotated credential from the one they already built a client for.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof AppCredential c && identity.equals(c.identity);
  }

  @Override
  public int hashCode() {
    return identity.hashCode();
  }

  @Override
  public String toString() {
    return certificate == null ? "AppCredential[client secret]" : "AppCredential[certificate sha256=" + thumbprint() + "]";
  }
}
