package io.m365sync.testkit.model;

import io.m365sync.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a subscription's {@code resource} path names: the mailbox owner ({@code me} or an id/UPN),
 * the resource and the container it watches (null: every container of the resource, as
 * {@code /users/{id}/messages} watches every mail folder).
 */
public record SubscriptionTarget(String user, Resource resource, String container) {
  private static final Pattern KEY_FORM = Pattern.compile("^([A-Za-z]+)\\('((?:[^']|'')*)'\\)$");

  /**
   * Parses e.g. {@code users/{id}/events}, {@code /me/contacts}, {@code users('{id}')/mailFolders('inbox')/messages},
   * {@code users/{id}/todo/lists/{listId}/tasks}.
   *
   * @throws GraphError 400 for a path that names no subscribable mailbox resource
   */
  public static SubscriptionTarget parse(String path) {
    List<String> seg = new ArrayList<>();
    for (String raw : (path == null ? "" : path).split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String s = java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
      Matcher m = KEY_FORM.matcher(s);
      if (m.matches()) {
        seg.add(m.group(1).toLowerCase(Locale.ROOT));
        seg.add(m.group(2).replace("''", "'"));
      } else {
        seg.add(s);
      }
    }
    String user;
    List<String> rest;
    if (!seg.isEmpty() && seg.get(0).equalsIgnoreCase("me")) {
      user = "me";
      rest = seg.subList(1, seg.size());
    } else if (seg.size() >= 2 && seg.get(0).equalsIgnoreCase("users")) {
      user = seg.get(1);
      rest = seg.subList(2, seg.size());
    } else {
      throw unsupported(path);
    }
    List<String> k = rest.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    if (k.equals(List.of("events")) || k.equals(List.of("calendar", "events"))) {
      return new SubscriptionTarget(user, Resource.EVENTS, null);
    }
    if (k.equals(List.of("contacts"))) {
      return new SubscriptionTarget(user, Resource.CONTACTS, MailboxModel.DEFAULT_CONTACTS);
    }
    if (k.size() == 3 && k.get(0).equals("contactfolders") && k.get(2).equals("contacts")) {
      return new SubscriptionTarget(user, Resource.CONTACTS, rest.get(1));
    }
    if (k.equals(List.of("messages"))) {
      return new SubscriptionTarget(user, Resource.MAIL, null);
    }
    if (k.size() == 3 && k.get(0).equals("mailfolders") && k.get(2).equals("messages")) {
      return new SubscriptionTarget(user, Resource.MAIL, rest.get(1));
    }
    if (k.size() == 4 && k.get(0).equals("todo") && k.get(1).equals("lists") && k.get(3).equals("tasks")) {
      return new SubscriptionTarget(user, Resource.TASKS, rest.get(2));
    }
    throw unsupported(path);
  }

  private static GraphError unsupported(String path) {
    return new GraphError(400, "InvalidRequest", "Resource '" + path + "' is not supported for subscriptions.");
  }

  /** Whether a change in {@code changedContainer} of {@code changed} is one this target watches. */
  boolean covers(Resource changed, String changedContainer) {
    return resource == changed && (container == null || container.equalsIgnoreCase(changedContainer));
  }
}
