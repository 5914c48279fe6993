package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalInteractionRequiredException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.RefreshTokenParameters;
import com.microsoft.aad.msal4j.SilentParameters;
import io.m365sync.testkit.model.EntraError;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real MSAL4J, unchanged, against the emulator's token endpoint. */
class MsalAgainstEmulatorTest {
  static final Set<String> APP_SCOPE = Set.of("https://graph.microsoft.com/.default");
  static final Set<String> USER_SCOPES = Set.of("https://graph.microsoft.com/Calendars.ReadWrite",
      "https://graph.microsoft.com/Contacts.ReadWrite");

  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  static ConfidentialClientApplication msal(Fixture f, IClientCredential credential) throws Exception {
    return ConfidentialClientApplication.builder(Fixture.CLIENT_ID, credential)
        .authority("https://login.microsoftonline.com/" + f.tenant.tenantId() + "/")
        .instanceDiscovery(false)
        .disableInternalRetries()
        .httpClient(new EmulatorMsalHttpClient(f.emulator.loginBaseUrl()))
        .build();
  }

  private long tokenRequests() {
    return f.emulator.recordedRequests().stream().filter(r -> r.path().endsWith("/oauth2/v2.0/token")).count();
  }

  @Test
  void clientSecretTokenIsIssuedAndCached() throws Exception {
    ConfidentialClientApplication app = msal(f, ClientCredentialFactory.createFromSecret(Fixture.SECRET));
    IAuthenticationResult r = app.acquireToken(ClientCredentialParameters.builder(APP_SCOPE).build()).get();
    assertThat(Fixture.jwtPayload(r.accessToken())).contains("\"roles\":[");
    IAuthenticationResult cached = app.acquireToken(ClientCredentialParameters.builder(APP_SCOPE).build()).get();
    assertThat(cached.accessToken()).isEqualTo(r.accessToken());
    assertThat(tokenRequests()).isEqualTo(1);
    assertThat(f.http.get(f.graph("/users/" + f.alice.objectId() + "/mailboxSettings"), r.accessToken()).status()).isEqualTo(200);
  }

  @Test
  void certificateCredentialSignsAnAssertionTheEmulatorVerifies() throws Exception {
    ConfidentialClientApplication app = msal(f,
        ClientCredentialFactory.createFromCertificate(f.cert.privateKey(), f.cert.certificate()));
    IAuthenticationResult r = app.acquireToken(ClientCredentialParameters.builder(APP_SCOPE).build()).get();
    assertThat(Fixture.jwtPayload(r.accessToken())).contains("Calendars.ReadWrite");

    SelfSignedCertificate other = SelfSignedCertificate.create("other", f.clock.instant().minusSeconds(60),
        f.clock.instant().plus(Duration.ofDays(2)));
    ConfidentialClientApplication bad = msal(f, ClientCredentialFactory.createFromCertificate(other.privateKey(), other.certificate()));
    assertThatThrownBy(() -> bad.acquireToken(ClientCredentialParameters.builder(APP_SCOPE).build()).get())
        .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(MsalServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.errorCode()).isEqualTo("invalid_client");
          assertThat(e.getMessage()).contains("AADSTS700027");
        });
  }

  @Test
  void wrongSecretAndTransientFailuresSurfaceAsMsalServiceExceptions() throws Exception {
    ConfidentialClientApplication wrong = msal(f, ClientCredentialFactory.createFromSecret("nope"));
    assertThatThrownBy(() -> wrong.acquireToken(ClientCredentialParameters.builder(APP_SCOPE).build()).get())
        .cause().isInstanceOfSatisfying(MsalServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.getMessage()).contains("AADSTS7000215");
        });
    f.tenant.failNextTokenRequests(1, new EntraError(503, "temporarily_unavailable", 90033, "Service unavailable.", null));
    ConfidentialClientApplication app = msal(f, ClientCredentialFactory.createFromSecret(Fixture.SECRET));
    assertThatThrownBy(() -> app.acquireToken(ClientCredentialParameters.builder(APP_SCOPE).build()).get())
        .cause().isInstanceOfSatisfying(MsalServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void authorizationCodeThenRefreshTokenThenSilentAcquisition() throws Exception {
    ConfidentialClientApplication app = msal(f, ClientCredentialFactory.createFromSecret(Fixture.SECRET));
    String code = f.emulator.authorizationCode(f.tenant, f.alice, Fixture.CLIENT_ID);
    IAuthenticationResult signIn = app.acquireToken(AuthorizationCodeParameters
        .builder(code, new URI("https://crm.example/auth")).scopes(USER_SCOPES).build()).get();
    assertThat(signIn.account().homeAccountId()).isEqualTo(f.alice.objectId() + "." + f.tenant.tenantId());
    assertThat(signIn.account().username()).isEqualTo("alice@contoso.com");

    // a new app instance, from a stored refresh token (how the sync job starts)
    String rt = f.signIn(f.alice).json().get("refresh_token").asText();
    ConfidentialClientApplication job = msal(f, ClientCredentialFactory.createFromSecret(Fixture.SECRET));
    IAuthenticationResult fromRt = job.acquireToken(RefreshTokenParameters.builder(USER_SCOPES, rt).build()).get();
    assertThat(Fixture.jwtPayload(fromRt.accessToken())).contains("\"scp\":\"");
    IAccount account = job.getAccounts().get().iterator().next();
    long before = tokenRequests();
    IAuthenticationResult silent = job.acquireTokenSilently(SilentParameters.builder(USER_SCOPES, account).build()).get();
    assertThat(silent.accessToken()).isEqualTo(fromRt.accessToken());
    assertThat(tokenRequests()).isEqualTo(before);
    IAuthenticationResult refreshed = job.acquireTokenSilently(SilentParameters.builder(USER_SCOPES, account)
        .forceRefresh(true).build()).get();
    assertThat(refreshed.accessToken()).isNotEqualTo(fromRt.accessToken());

    f.clock.advance(Duration.ofDays(91));
    assertThatThrownBy(() -> job.acquireTokenSilently(SilentParameters.builder(USER_SCOPES, account).forceRefresh(true).build()).get())
        .cause().isInstanceOfSatisfying(MsalInteractionRequiredException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("invalid_grant");
          assertThat(e.getMessage()).contains("AADSTS700082");
        });
  }

  @Test
  void missingConsentIsInteractionRequiredWithConsentReason() throws Exception {
    String rt = f.signIn(f.bob).json().get("refresh_token").asText();
    f.app.removeDelegatedPermission("Contacts.ReadWrite");
    ConfidentialClientApplication job = msal(f, ClientCredentialFactory.createFromSecret(Fixture.SECRET));
    assertThatThrownBy(() -> job.acquireToken(RefreshTokenParameters.builder(USER_SCOPES, rt).build()).get())
        .cause().isInstanceOfSatisfying(MsalInteractionRequiredException.class, e -> {
          assertThat(e.getMessage()).contains("AADSTS65001");
          assertThat(e.reason().toString()).isEqualTo("CONSENT_REQUIRED");
        });
  }
}
