package io.m365sync.spring;

import io.m365sync.graph.AppCredential;

/** The single app registration's id and credential from {@code m365sync.*}, with errors that name the property. */
final class Credentials {
  private Credentials() {}

  static String clientId(M365SyncProperties p) {
    if (p.getClientId() == null || p.getClientId().isBlank()) {
      throw new IllegalStateException("'m365sync.client-id' is required (or an AppRegistrations<AppCredential> bean)");
    }
    return p.getClientId();
  }

  /** The secret, the PEM pair or the PKCS#12 file: exactly one of them. */
  static AppCredential credential(M365SyncProperties p) {
    boolean secret = p.getClientSecret() != null;
    boolean pem = p.getPrivateKeyPath() != null || p.getCertificatePath() != null;
    boolean pkcs12 = p.getPkcs12Path() != null;
    int kinds = (secret ? 1 : 0) + (pem ? 1 : 0) + (pkcs12 ? 1 : 0);
    if (kinds != 1) {
      throw new IllegalStateException("set exactly one app credential: 'm365sync.client-secret', "
          + "'m365sync.private-key-path' with 'm365sync.certificate-path', or 'm365sync.pkcs12-path' (found " + kinds + ")");
    }
    if (secret) {
      return AppCredential.secret(p.getClientSecret());
    }
    if (pem) {
      if (p.getPrivateKeyPath() == null || p.getCertificatePath() == null) {
        throw new IllegalStateException("'m365sync.private-key-path' and 'm365sync.certificate-path' go together");
      }
      return AppCredential.pem(p.getPrivateKeyPath(), p.getCertificatePath());
    }
    String password = p.getPkcs12Password();
    return AppCredential.pkcs12(p.getPkcs12Path(), password == null ? new char[0] : password.toCharArray());
  }
}
