package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A management scope's {@code -RecipientRestrictionFilter}, in the OPATH subset this library models:
 * {@code Attribute -eq|-ne|-like 'value'} combined with {@code -and}, {@code -or}, {@code -not} and
 * parentheses. Attributes: {@link #ATTRIBUTES}. Comparisons are case-insensitive, like Exchange's.
 */
public sealed interface RecipientFilter {

  /** Recipient attributes a filter may name. */
  Set<String> ATTRIBUTES = attributes();

  /** Whether {@code user} matches. */
  boolean matches(DirectoryUser user);

  /** The filter as OPATH text, ready for {@code New-ManagementScope -RecipientRestrictionFilter}. */
  String toOpath();

  /**
   * Parses OPATH text.
   *
   * @throws InvalidRecipientFilterException with the position of the problem
   */
  static RecipientFilter parse(String opath) {
    return new RecipientFilterParser(Checks.requireText(opath, "recipientFilter")).parse();
  }

  /** Comparison operators. */
  enum Operator {
    EQ("-eq"), NE("-ne"), LIKE("-like");

    private final String token;

    Operator(String token) {
      this.token = token;
    }

    public String token() {
      return token;
    }
  }

  /** {@code Attribute -op 'value'}. An unset attribute equals nothing and is unequal to everything. */
  record Comparison(String attribute, Operator operator, String value) implements RecipientFilter {
    public Comparison {
      Checks.requireText(attribute, "attribute");
      Checks.requireNonNull(operator, "operator");
      Checks.requireNonNull(value, "value");
    }

    @Override
    public boolean matches(DirectoryUser user) {
      String actual = user.attribute(attribute).orElse(null);
      return switch (operator) {
        case EQ -> actual != null && actual.equalsIgnoreCase(value);
        case NE -> actual == null || !actual.equalsIgnoreCase(value);
        case LIKE -> actual != null && like(value).matcher(actual).matches();
      };
    }

    private static Pattern like(String wildcard) {
      String[] parts = wildcard.split("\\*", -1);
      StringBuilder regex = new StringBuilder();
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          regex.append(".*");
        }
        if (!parts[i].isEmpty()) {
          regex.append(Pattern.quote(parts[i]));
        }
      }
      return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    @Override
    public String toOpath() {
      return attribute + " " + operator.token() + " '" + value.replace("'", "''") + "'";
    }
  }

  record And(RecipientFilter left, RecipientFilter right) implements RecipientFilter {
    public And {
      Checks.requireNonNull(left, "left");
      Checks.requireNonNull(right, "right");
    }

    @Override
    public boolean matches(DirectoryUser user) {
      return left.matches(user) && right.matches(user);
    }

    @Override
    public String toOpath() {
      return "(" + left.toOpath() + ") -and (" + right.toOpath() + ")";
    }
  }

  record Or(RecipientFilter left, RecipientFilter right) implements RecipientFilter {
    public Or {
      Checks.requireNonNull(left, "left");
      Checks.requireNonNull(right, "right");
    }

    @Override
    public boolean matches(DirectoryUser user) {
      return left.matches(user) || right.matches(user);
    }

    @Override
    public String toOpath() {
      return "(" + left.toOpath() + ") -or (" + right.toOpath() + ")";
    }
  }

  record Not(RecipientFilter operand) implements RecipientFilter {
    public Not {
      Checks.requireNonNull(operand, "operand");
    }

    @Override
    public boolean matches(DirectoryUser user) {
      return !operand.matches(user);
    }

    @Override
    public String toOpath() {
      return "-not (" + operand.toOpath() + ")";
    }
  }

  private static Set<String> attributes() {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    names.addAll(Set.of("Department", "Company", "City", "StateOrProvince", "CountryOrRegion", "Office", "Title"));
    for (int i = 1; i <= 15; i++) {
      names.add("CustomAttribute" + i);
    }
    return java.util.Collections.unmodifiableSet(names);
  }

  /** Canonical spelling of a supported attribute name, or null. */
  static String canonicalAttribute(String name) {
    for (String a : ATTRIBUTES) {
      if (a.equalsIgnoreCase(name)) {
        return a;
      }
    }
    return null;
  }
}
