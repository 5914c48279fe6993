package io.m365sync.policy;

import io.m365sync.policy.RecipientFilter.Operator;

/** Recursive-descent parser for the OPATH subset of {@link RecipientFilter}. Single use, not thread-safe. */
final class RecipientFilterParser {
  private final String text;
  private int pos;

  RecipientFilterParser(String text) {
    this.text = text;
  }

  RecipientFilter parse() {
    RecipientFilter result = or();
    skipSpace();
    if (pos < text.length()) {
      throw error("unexpected '" + text.substring(pos) + "'");
    }
    return result;
  }

  private RecipientFilter or() {
    RecipientFilter left = and();
    while (keyword("-or")) {
      left = new RecipientFilter.Or(left, and());
    }
    return left;
  }

  private RecipientFilter and() {
    RecipientFilter left = unary();
    while (keyword("-and")) {
      left = new RecipientFilter.And(left, unary());
    }
    return left;
  }

  private RecipientFilter unary() {
    if (keyword("-not")) {
      return new RecipientFilter.Not(unary());
    }
    skipSpace();
    if (peek() == '(') {
      pos++;
      RecipientFilter inner = or();
      skipSpace();
      if (peek() != ')') {
        throw error("expected ')'");
      }
      pos++;
      return inner;
    }
    return comparison();
  }

  private RecipientFilter comparison() {
    skipSpace();
    int start = pos;
    while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected an attribute name");
    }
    String name = text.substring(start, pos);
    String attribute = RecipientFilter.canonicalAttribute(name);
    if (attribute == null) {
      pos = start;
      throw error("unsupported attribute '" + name + "' (supported: " + RecipientFilter.ATTRIBUTES + ")");
    }
    Operator op = null;
    for (Operator candidate : Operator.values()) {
      if (keyword(candidate.token())) {
        op = candidate;
        break;
      }
    }
    if (op == null) {
      throw error("expected -eq, -ne or -like after " + attribute);
    }
    return new RecipientFilter.Comparison(attribute, op, quoted());
  }

  private String quoted() {
    skipSpace();
    char quote = peek();
    if (quote != '\'' && quote != '"') {
      throw error("expected a quoted value");
    }
    pos++;
    StringBuilder value = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        if (peek() == quote) {
          value.append(quote);
          pos++;
        } else {
          return value.toString();
        }
      } else {
        value.append(c);
      }
    }
  }

  private boolean keyword(String word) {
    skipSpace();
    int end = pos + word.length();
    if (end <= text.length() && text.regionMatches(true, pos, word, 0, word.length())
        && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private InvalidRecipientFilterException error(String problem) {
    return new InvalidRecipientFilterException(text, pos, problem);
  }
}
