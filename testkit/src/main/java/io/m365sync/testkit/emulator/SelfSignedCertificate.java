package io.m365sync.testkit.emulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An RSA key pair with a self-signed X.509 certificate (SHA256withRSA), built with the JDK alone, for
 * registering certificate credentials on a test app and signing MSAL's client assertions.
 * {@link #toString()} hides the key.
 */
public record SelfSignedCertificate(PrivateKey privateKey, X509Certificate certificate) {
  private static final byte[] SHA256_WITH_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0b};
  private static final byte[] CN = {0x06, 0x03, 0x55, 0x04, 0x03};
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  /** A new 2048-bit RSA key and certificate {@code CN=commonName}, valid from {@code notBefore} to {@code notAfter}. */
  public static SelfSignedCertificate create(String commonName, Instant notBefore, Instant notAfter) {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
      kpg.initialize(2048);
      KeyPair kp = kpg.generateKeyPair();
      byte[] algorithm = seq(SHA256_WITH_RSA, new byte[] {0x05, 0x00});
      byte[] name = seq(set(seq(CN, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
      byte[] validity = seq(time(notBefore), time(notAfter));
      byte[] serial = tlv(0x02, new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray());
      byte[] version = tlv(0xa0, tlv(0x02, new byte[] {2}));
      byte[] tbs = seq(version, serial, algorithm, name, validity, name, kp.getPublic().getEncoded());
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(kp.getPrivate());
      s.update(tbs);
      byte[] sig = s.sign();
      byte[] bits = new byte[sig.length + 1];
      System.arraycopy(sig, 0, bits, 1, sig.length);
      byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      return new SelfSignedCertificate(kp.getPrivate(), cert);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a self-signed certificate", e);
    }
  }

  private static byte[] time(Instant t) {
    int year = t.atZone(ZoneOffset.UTC).getYear();
    if (year >= 2050) {
      return tlv(0x18, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
          .getBytes(StandardCharsets.US_ASCII));
    }
    return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write((len >> 8) & 0xff);
      out.write(len & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return "SelfSignedCertificate[" + certificate.getSubjectX500Principal().getName() + ", key=<redacted>]";
  }
}
