package io.m365sync.policy;

import io.m365sync.TenantId;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Policy's ports ({@link DirectorySource}, {@link DirectoryReader}, {@link AccessPolicySource}) over the
 * testkit's in-memory {@link CloudModel}, so policy is tested on the same tenant the engine fakes
 * and the HTTP emulator serve.
 *
 * <p>Microsoft Graph's service principal is synthesized the way the emulator's {@code DirectoryApi}
 * does it: its object id and every app role / delegated scope id come from
 * {@link CloudModel#generatedId(String)} with the emulator's keys ({@code graph-sp:<tenant>},
 * {@code graph-app-role:<permission>}, {@code graph-scope:<permission>}), so they are random per
 * cloud, stable within one, and equal to what the emulator serves over HTTP. {@link #withIds} swaps
 * the id source (e.g. to Microsoft's public GUIDs) to prove nothing depends on one set of ids.
 *
 * <p>Groups: the model has no SMTP addresses, so a mail-enabled security group is given
 * {@code <displayName>@<tenant domain>} (and may be looked up by it); access policies name their
 * scope group by that address, as an admin would write {@code -PolicyScopeGroupId}.
 *
 * <p>What the model cannot express is absent: per-user delegated consents (only the admin's
 * {@code AllPrincipals} grant is listed) and RBAC for Applications (declared sets carry application
 * access policies only).
 */
final class TenantModelDirectory implements DirectorySource, AccessPolicySource {
  /** Graph app roles the emulator always lists (plus whatever an app registration adds). */
  static final List<String> GRAPH_APP_ROLES = List.of("Calendars.Read", "Calendars.ReadWrite", "Contacts.Read",
      "Contacts.ReadWrite", "Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.ReadWrite", "Mail.Send",
      "MailboxSettings.Read", "MailboxSettings.ReadWrite", "Tasks.Read.All", "Tasks.ReadWrite.All", "User.Read.All",
      "Group.Read.All", "GroupMember.Read.All", "Directory.Read.All", "Application.Read.All");
  /** Graph delegated scopes the emulator always lists (plus whatever an app registration adds). */
  static final List<String> GRAPH_SCOPES = List.of("Calendars.Read", "Calendars.ReadWrite", "Contacts.Read",
      "Contacts.ReadWrite", "Mail.Read", "Mail.ReadWrite", "Mail.Send", "MailboxSettings.Read",
      "MailboxSettings.ReadWrite", "Tasks.Read", "Tasks.ReadWrite", "User.Read", "offline_access", "openid", "profile",
      "email");

  private final CloudModel cloud;
  private final UnaryOperator<String> ids;

  private TenantModelDirectory(CloudModel cloud, UnaryOperator<String> ids) {
    this.cloud = cloud;
    this.ids = ids;
  }

  /** Ids generated per cloud, as the HTTP emulator serves them. */
  static TenantModelDirectory of(CloudModel cloud) {
    return new TenantModelDirectory(cloud, cloud::generatedId);
  }

  /**
   * Ids from {@code ids}, which maps the emulator's keys ({@code graph-app-role:mail.readwrite},
   * {@code graph-scope:mail.readwrite}, {@code graph-sp:<tenant id>}, {@code assignment:…}) to GUIDs.
   */
  static TenantModelDirectory withIds(CloudModel cloud, UnaryOperator<String> ids) {
    return new TenantModelDirectory(cloud, ids);
  }

  String appRoleId(String permission) {
    return ids.apply("graph-app-role:" + permission.toLowerCase(Locale.ROOT));
  }

  String scopeId(String permission) {
    return ids.apply("graph-scope:" + permission.toLowerCase(Locale.ROOT));
  }

  String graphServicePrincipalId(TenantModel tenant) {
    return ids.apply("graph-sp:" + tenant.tenantId());
  }

  private TenantModel tenant(TenantId tenant) {
    return cloud.findTenant(tenant.value())
        .orElseThrow(() -> new IllegalArgumentException("No tenant '" + tenant + "' in the cloud model"));
  }

  @Override
  public Reader directory(TenantId tenant) {
    return new Reader(tenant(tenant));
  }

  /** {@code Get-ApplicationAccessPolicy}: the model's policies not yet removed, scope groups by address. */
  @Override
  public AccessPolicySet declared(TenantId tenantId) {
    TenantModel tenant = tenant(tenantId);
    List<ApplicationAccessPolicy> out = new ArrayList<>();
    for (AccessPolicy p : tenant.accessPolicies()) {
      String scope = tenant.findGroup(p.scopeGroupId()).filter(g -> g.id().equals(p.scopeGroupId()))
          .map(g -> toGroup(tenant, g).identity()).orElse(p.scopeGroupId());
      AccessRight right = p.accessRight() == AccessPolicy.AccessRight.DENY_ACCESS ? AccessRight.DENY_ACCESS : AccessRight.RESTRICT_ACCESS;
      out.add(ApplicationAccessPolicy.of(String.join(",", new TreeSet<>(p.appIds())), right, scope, p.description(), p.createdAt()));
    }
    return new AccessPolicySet(out, List.of(), List.of());
  }

  static DirectoryGroup toGroup(TenantModel tenant, ModelGroup g) {
    return g.mailEnabledSecurity()
        ? new DirectoryGroup(g.id(), g.displayName(), mailOf(tenant, g), GroupKind.MAIL_ENABLED_SECURITY)
        : new DirectoryGroup(g.id(), g.displayName(), null, GroupKind.SECURITY);
  }

  static String mailOf(TenantModel tenant, ModelGroup g) {
    return g.displayName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-") + "@" + tenant.domain();
  }

  /** One tenant's directory. */
  final class Reader implements DirectoryReader {
    private final TenantModel tenant;

    Reader(TenantModel tenant) {
      this.tenant = tenant;
    }

    TenantModel tenant() {
      return tenant;
    }

    @Override
    public Optional<ServicePrincipal> servicePrincipal(AppId appId) {
      if (appId.equals(AppId.MICROSOFT_GRAPH)) {
        return Optional.of(graph());
      }
      return app(appId).map(a -> new ServicePrincipal(a.servicePrincipalId(), appId, a.displayName(), List.of(), List.of()));
    }

    private ServicePrincipal graph() {
      Set<String> roles = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      roles.addAll(GRAPH_APP_ROLES);
      Set<String> scopes = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      scopes.addAll(GRAPH_SCOPES);
      tenant.apps().forEach(a -> {
        roles.addAll(a.applicationPermissions());
        scopes.addAll(a.delegatedPermissions());
      });
      return new ServicePrincipal(graphServicePrincipalId(tenant), AppId.MICROSOFT_GRAPH, "Microsoft Graph",
          roles.stream().map(r -> new PermissionDefinition(appRoleId(r), r)).toList(),
          scopes.stream().map(s -> new PermissionDefinition(scopeId(s), s)).toList());
    }

    private Optional<io.m365sync.testkit.model.AppRegistration> app(AppId appId) {
      return tenant.apps().stream().filter(a -> a.clientId().equalsIgnoreCase(appId.value())).findFirst();
    }

    private Optional<io.m365sync.testkit.model.AppRegistration> appBySp(String servicePrincipalId) {
      return tenant.apps().stream().filter(a -> a.servicePrincipalId().equals(servicePrincipalId)).findFirst();
    }

    @Override
    public Optional<AppRegistration> appRegistration(AppId appId) {
      return app(appId).map(a -> {
        List<RequiredPermission> required = new ArrayList<>();
        new TreeSet<>(a.applicationPermissions()).forEach(p ->
            required.add(new RequiredPermission(AppId.MICROSOFT_GRAPH, appRoleId(p), RequiredPermission.Type.ROLE)));
        new TreeSet<>(a.delegatedPermissions()).forEach(p ->
            required.add(new RequiredPermission(AppId.MICROSOFT_GRAPH, scopeId(p), RequiredPermission.Type.SCOPE)));
        List<ClientCredential> credentials = new ArrayList<>();
        a.secrets().forEach(s -> credentials.add(new ClientCredential(s.keyId(), s.displayName(), ClientCredential.Kind.SECRET,
            s.endDateTime())));
        for (X509Certificate c : a.certificates()) {
          credentials.add(new ClientCredential(ids.apply("key:" + thumbprint(c)), c.getSubjectX500Principal().getName(),
              ClientCredential.Kind.CERTIFICATE, c.getNotAfter().toInstant()));
        }
        return new AppRegistration(a.applicationObjectId(), appId, a.displayName(), required, credentials);
      });
    }

    @Override
    public List<AppRoleAssignment> appRoleAssignments(String servicePrincipalId) {
      return appBySp(servicePrincipalId).map(a -> new TreeSet<>(a.consentedApplicationPermissions()).stream()
          .map(role -> new AppRoleAssignment(ids.apply("assignment:" + servicePrincipalId + ":" + role), servicePrincipalId,
              graphServicePrincipalId(tenant), appRoleId(role)))
          .toList()).orElse(List.of());
    }

    @Override
    public List<PermissionGrant> permissionGrants(String servicePrincipalId) {
      return appBySp(servicePrincipalId).filter(a -> !a.adminGrantedDelegatedPermissions().isEmpty())
          .map(a -> List.of(new PermissionGrant(servicePrincipalId, PermissionGrant.ConsentType.ALL_PRINCIPALS, null,
              graphServicePrincipalId(tenant), a.adminGrantedDelegatedPermissions())))
          .orElse(List.of());
    }

    @Override
    public Optional<DirectoryGroup> group(String idOrMail) {
      return tenant.groups().stream()
          .filter(g -> g.id().equals(idOrMail) || (g.mailEnabledSecurity() && mailOf(tenant, g).equalsIgnoreCase(idOrMail)))
          .findFirst().map(g -> toGroup(tenant, g));
    }

    @Override
    public Optional<DirectoryUser> user(String idOrUpn) {
      return tenant.findUser(idOrUpn).map(this::toUser);
    }

    private DirectoryUser toUser(ModelUser u) {
      return new DirectoryUser(u.objectId(), u.userPrincipalName(), u.attributes());
    }

    @Override
    public Set<String> directMembers(String groupId) {
      return tenant.findGroup(groupId).filter(g -> g.id().equals(groupId)).map(ModelGroup::memberIds).orElse(Set.of());
    }
  }

  private static String thumbprint(X509Certificate cert) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }
}
