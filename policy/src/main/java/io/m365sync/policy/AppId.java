package io.m365sync.policy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An Entra application (client) id: a GUID, kept in lower case.
 *
 * @param value the GUID, e.g. {@code 11111111-2222-3333-4444-555555555555}
 */
public record AppId(String value) {
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Microsoft Graph's well-known application id (the same in every tenant; its object id is not). */
  public static final AppId MICROSOFT_GRAPH = new AppId("00000003-0000-0000-c000-000000000000");

  /** @throws MalformedAppIdException if {@code value} is not a GUID */
  public AppId {
    if (value == null || !GUID.matcher(value.strip()).matches()) {
      throw new MalformedAppIdException(value);
    }
    value = value.strip().toLowerCase(Locale.ROOT);
  }

  public static AppId of(String value) {
    return new AppId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
