package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.SyncListener;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.KeepAliveReport;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.emulator.SelfSignedCertificate;
import io.m365sync.testkit.model.ModelUser;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Order(1)
class TokenStrategiesTest {
  private final EmulatorFixture fx = new EmulatorFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void oneApplicationTokenPerTenantPerLifetimeAcross1000GraphCalls() {
    fx.grantApplication(Resource.CONTACTS);
    List<Mailbox> boxes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      boxes.add(fx.mailbox(fx.tenant.addUser("u" + i), Resource.CONTACTS));
    }
    for (int i = 0; i < 1000; i++) {
      Mailbox m = boxes.get(i % boxes.size());
      MailboxSession s = new MailboxSession(m, fx.application.acquire(m, Purpose.BACKGROUND_SYNC));
      fx.gateway.delta(s, ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 10));
    }
    Captured.secret(fx.application.acquire(boxes.get(0), Purpose.BACKGROUND_SYNC).value());
    assertThat(fx.cloud.log().count(r -> r.isGraph() && r.status() == 200)).isEqualTo(1000);
    assertThat(fx.cloud.log().tokenRequests("client_credentials")).isEqualTo(1);

    fx.clock.advance(Duration.ofMinutes(56)); // inside the 5-minute margin of the 1-hour token
    AccessToken renewed = fx.application.acquire(boxes.get(0), Purpose.BACKGROUND_SYNC);
    Captured.secret(renewed.value());
    assertThat(fx.cloud.log().tokenRequests("client_credentials")).isEqualTo(2);
    assertThat(renewed.permissions()).contains("Contacts.ReadWrite");
  }

  @Test
  void certificateCredentialsWorkFromObjectsPemAndPkcs12(@TempDir Path dir) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("crm-sync", fx.clock.instant().minus(Duration.ofDays(1)),
        fx.clock.instant().plus(Duration.ofDays(365)));
    fx.app.addCertificate(cert.certificate());
    fx.grantApplication(Resource.EVENTS);
    String keyB64 = Base64.getEncoder().encodeToString(cert.privateKey().getEncoded());
    Captured.secret(keyB64);
    Captured.secret(keyB64.substring(0, 64));
    Mailbox m = fx.mailbox(fx.tenant.addUser("carol"), Resource.EVENTS);

    AccessToken fromObjects = fx.applicationStrategy(AppCredential.certificate(cert.privateKey(),
        List.of(cert.certificate()))).acquire(m, Purpose.BACKGROUND_SYNC);
    Captured.secret(fromObjects.value());
    assertThat(fromObjects.permissions()).contains("Calendars.ReadWrite");

    Path key = dir.resolve("key.pem");
    Path crt = dir.resolve("cert.pem");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(cert.privateKey().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    Files.writeString(crt, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(cert.certificate().getEncoded()) + "\n-----END CERTIFICATE-----\n");
    AppCredential pem = AppCredential.pem(key, crt);
    assertThat(pem.toString()).contains("certificate sha256=").doesNotContain(keyB64.substring(0, 64));
    Captured.secret(fx.applicationStrategy(pem).acquire(m, Purpose.BACKGROUND_SYNC).value());

    Path p12 = dir.resolve("crm.p12");
    char[] password = "p12-password-123".toCharArray();
    Captured.secret(new String(password));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("crm", cert.privateKey(), password, new X509Certificate[] {cert.certificate()});
    try (OutputStream out = Files.newOutputStream(p12)) {
      ks.store(out, password);
    }
    Captured.secret(fx.applicationStrategy(AppCredential.pkcs12(p12, password)).acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(fx.cloud.log().tokenRequests("client_credentials")).isEqualTo(3);
  }

  @Test
  void aWrongCertificateIsCredentialsInvalidNamingTenantAndClientButNoKeyMaterial() {
    SelfSignedCertificate registered = SelfSignedCertificate.create("crm-sync", fx.clock.instant().minus(Duration.ofDays(1)),
        fx.clock.instant().plus(Duration.ofDays(365)));
    fx.app.addCertificate(registered.certificate());
    SelfSignedCertificate wrong = SelfSignedCertificate.create("attacker", fx.clock.instant().minus(Duration.ofDays(1)),
        fx.clock.instant().plus(Duration.ofDays(365)));
    String keyB64 = Base64.getEncoder().encodeToString(wrong.privateKey().getEncoded());
    Captured.secret(keyB64);
    Mailbox m = fx.mailbox(fx.tenant.addUser("dave"), Resource.EVENTS);
    MsalApplicationTokenStrategy strategy = fx.applicationStrategy(AppCredential.certificate(wrong.privateKey(),
        List.of(wrong.certificate())));

    assertThatThrownBy(() -> strategy.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(CredentialsInvalidException.class, e -> {
          assertThat(e.getMessage()).contains(fx.tenant.tenantId()).contains(EmulatorFixture.CLIENT_ID)
              .contains("AADSTS700027").doesNotContain(keyB64.substring(0, 40));
          assertThat(e.clientId()).isEqualTo(EmulatorFixture.CLIENT_ID);
          assertThat(e.tenant()).contains(fx.tenantId());
        });
    assertThat(strategy.toString()).doesNotContain(keyB64.substring(0, 40));
  }

  @Test
  void aWrongSecretIsCredentialsInvalidWithoutTheSecret() {
    Mailbox m = fx.mailbox(fx.tenant.addUser("erin"), Resource.EVENTS);
    String wrong = "wrong-secret-" + fx.secret.substring(4, 12);
    Captured.secret(wrong);
    assertThatThrownBy(() -> fx.applicationStrategy(AppCredential.secret(wrong)).acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(CredentialsInvalidException.class, e -> assertThat(e.getMessage())
            .contains("AADSTS7000215").contains(EmulatorFixture.CLIENT_ID).doesNotContain(wrong));
  }

  @Test
  void signInStoresAnEncryptedCacheAndEveryRefreshPersistsTheRotatedToken() {
    ModelUser alice = fx.tenant.addUser("alice");
    Mailbox m = fx.signIn(alice);
    assertThat(m.id().userObjectId()).isEqualTo(alice.objectId());
    assertThat(m.userPrincipalName()).isEqualToIgnoringCase(alice.userPrincipalName());
    byte[] first = fx.store.tokenCache(m.id()).orElseThrow();
    assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("refresh_token").doesNotContain("RefreshToken");

    AccessToken t1 = fx.delegated.acquire(m, Purpose.BACKGROUND_SYNC);
    Captured.secret(t1.value());
    assertThat(fx.cloud.log().refreshRequests(alice.objectId())).isZero();
    assertThat(t1.permissions()).contains("Calendars.ReadWrite");

    fx.clock.advance(Duration.ofMinutes(70));
    AccessToken t2 = fx.delegated.acquire(m, Purpose.BACKGROUND_SYNC);
    Captured.secret(t2.value());
    assertThat(t2.value()).isNotEqualTo(t1.value());
    assertThat(fx.cloud.log().refreshRequests(alice.objectId())).isEqualTo(1);
    byte[] second = fx.store.tokenCache(m.id()).orElseThrow();
    assertThat(second).isNotEqualTo(first);

    // a new strategy instance (a restart) finds the account in the stored cache
    MsalDelegatedTokenStrategy restarted = MsalDelegatedTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
        .credential(AppCredential.secret(fx.secret)).store(fx.store).cipher(fx.cipher).clock(fx.clock)
        .routeTokenRequestsTo(java.net.URI.create(fx.emulator.loginBaseUrl())).build();
    fx.clock.advance(Duration.ofMinutes(70));
    Captured.secret(restarted.acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(fx.cloud.log().refreshRequests(alice.objectId())).isEqualTo(2);
  }

  @Test
  void aTamperedCacheMeansSignInAgainNeverACrash() {
    Mailbox m = fx.signIn(fx.tenant.addUser("bob"));
    byte[] blob = fx.store.tokenCache(m.id()).orElseThrow();
    blob[blob.length - 5] ^= 0x5a;
    fx.store.putTokenCache(m.id(), blob);
    fx.delegated.forget(m.id());
    assertThatThrownBy(() -> fx.delegated.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(ReauthenticationRequiredException.class,
            e -> assertThat(e.errorCode()).isEqualTo("TOKEN_CACHE_UNREADABLE"));
  }

  @Test
  void keysRotateAndOldBlobsAreResealed() {
    Mailbox m = fx.signIn(fx.tenant.addUser("kim"));
    byte[] k2 = new byte[32];
    k2[0] = 7;
    TokenCacheCipher rotated = fx.cipher.rotateTo("k2", k2);
    MsalDelegatedTokenStrategy s = MsalDelegatedTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
        .credential(AppCredential.secret(fx.secret)).store(fx.store).cipher(rotated).clock(fx.clock)
        .routeTokenRequestsTo(java.net.URI.create(fx.emulator.loginBaseUrl())).build();
    Captured.secret(s.acquire(m, Purpose.BACKGROUND_SYNC).value());
    byte[] blob = fx.store.tokenCache(m.id()).orElseThrow();
    assertThat(new String(blob, 5, 2, StandardCharsets.UTF_8)).isEqualTo("k2");
    assertThatThrownBy(() -> fx.cipher.open(m.id(), blob)).isInstanceOf(TokenCacheCipher.UnreadableBlobException.class);
  }

  @Test
  void keepAliveExercisesIdleRefreshTokensSoThe90DayCliffNeverHits() {
    ModelUser kept = fx.tenant.addUser("kept");
    ModelUser idle = fx.tenant.addUser("idle");
    Mailbox keptBox = fx.signIn(kept);
    Mailbox idleBox = fx.signIn(idle);
    for (int day = 0; day < 120; day += 10) {
      fx.clock.advance(Duration.ofDays(10));
      KeepAliveReport r = fx.delegated.keepAlive(List.of(keptBox), null);
      assertThat(r.failed()).isEmpty();
      assertThat(r.needsSignIn()).isEmpty();
    }
    Captured.secret(fx.delegated.acquire(keptBox, Purpose.BACKGROUND_SYNC).value());
    assertThatThrownBy(() -> fx.delegated.acquire(idleBox, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(ReauthenticationRequiredException.class,
            e -> assertThat(e.errorCode()).isEqualTo("AADSTS700082"));
  }

  @Test
  void keepAliveWarnsAheadOfAKnownSignInFrequency() {
    Mailbox m = fx.signIn(fx.tenant.addUser("sif"));
    List<Instant> warnings = new ArrayList<>();
    MsalDelegatedTokenStrategy s = MsalDelegatedTokenStrategy.builder().clientId(EmulatorFixture.CLIENT_ID)
        .credential(AppCredential.secret(fx.secret)).store(fx.store).cipher(fx.cipher).clock(fx.clock)
        .signInFrequency(Duration.ofDays(30), Duration.ofDays(7))
        .routeTokenRequestsTo(java.net.URI.create(fx.emulator.loginBaseUrl())).build();
    SyncListener listener = new SyncListener() {
      @Override
      public void tokenExpiringSoon(Mailbox mailbox, Instant deadline) {
        warnings.add(deadline);
      }
    };
    fx.clock.advance(Duration.ofDays(20));
    assertThat(s.keepAlive(List.of(m), listener).expiringSoon()).isEmpty();
    fx.clock.advance(Duration.ofDays(4));
    KeepAliveReport r = s.keepAlive(List.of(m), listener);
    assertThat(r.expiringSoon()).containsKey(m.id());
    assertThat(warnings).containsExactly(m.signedInAt().plus(Duration.ofDays(30)));
  }
}
