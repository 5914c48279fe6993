package io.m365sync.testkit.emulator;

import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenClaims;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One authorized Graph call being served: the request, the tenant, the mailbox owner (null for
 * tenant-level requests), the caller's claims and the {@code Prefer} options.
 */
final class Call {
  static final int DEFAULT_PAGE_SIZE = 10;

  final Req req;
  final TenantModel tenant;
  final ModelUser user;
  final MailboxModel mailbox;
  final TokenClaims claims;
  final String baseUrl;
  final Instant now;
  final GraphJson.Zone zone;
  final Integer maxPageSize;
  final List<String> applied = new ArrayList<>();

  Call(Req req, TenantModel tenant, ModelUser user, MailboxModel mailbox, TokenClaims claims, String baseUrl) {
    this.req = req;
    this.tenant = tenant;
    this.user = user;
    this.mailbox = mailbox;
    this.claims = claims;
    this.baseUrl = baseUrl;
    this.now = tenant.cloud().clock().instant();
    GraphJson.Zone z = GraphJson.Zone.UTC;
    Integer pageSize = null;
    for (String p : req.headerValues("Prefer")) {
      String lower = p.toLowerCase(Locale.ROOT);
      if (lower.startsWith("odata.maxpagesize=")) {
        try {
          pageSize = Math.max(1, Math.min(1000, Integer.parseInt(p.substring(p.indexOf('=') + 1).trim())));
          applied.add("odata.maxpagesize=" + pageSize);
        } catch (NumberFormatException e) {
          // Graph ignores preferences it cannot read
        }
      } else if (lower.startsWith("outlook.timezone=")) {
        String name = unquote(p.substring(p.indexOf('=') + 1));
        java.time.ZoneId id = TimeZones.zone(name);
        if (id != null) {
          z = new GraphJson.Zone(id, name);
          applied.add("outlook.timezone=\"" + name + "\"");
        }
      } else if (lower.startsWith("idtype=")) {
        applied.add("IdType=\"" + unquote(p.substring(p.indexOf('=') + 1)) + "\"");
      }
    }
    this.zone = z;
    this.maxPageSize = pageSize;
  }

  private static String unquote(String s) {
    String t = s.trim();
    if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
      t = t.substring(1, t.length() - 1);
    }
    return t;
  }

  /** Delta page size: {@code Prefer: odata.maxpagesize}, else {@code $top}, else 10. */
  int deltaPageSize() {
    if (maxPageSize != null) {
      return maxPageSize;
    }
    return intParam("$top", DEFAULT_PAGE_SIZE, 1, 1000);
  }

  int intParam(String name, int dflt, int min, int max) {
    String v = req.param(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Math.max(min, Math.min(max, Integer.parseInt(v.trim())));
    } catch (NumberFormatException e) {
      throw new HttpError(400, "BadRequest", "Invalid value '" + v + "' for query option '" + name + "'.");
    }
  }

  Resp ok(int status, byte[] body) {
    Resp r = Resp.json(status, body);
    if (!applied.isEmpty()) {
      r.header("Preference-Applied", String.join(", ", applied));
    }
    return r;
  }

  /** The If-Match header; null when absent. */
  String ifMatch() {
    return req.header("If-Match");
  }
}
