package io.m365sync.state;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The access audit's export formats: JSON lines (one object per line) and CSV (RFC 4180, a header
 * line first). Each reads back exactly what it wrote. Columns, in this order: {@code tenant},
 * {@code mailbox} (the user's object id), {@code resource}, {@code startedAt}, {@code finishedAt}
 * (ISO-8601 instants), {@code outcome}, {@code requests}, {@code errorCode} (JSON null or an empty
 * CSV field when none), {@code rounds}. Exports written before {@code rounds} existed read back as one
 * round per record.
 */
public enum AccessRecordFormat {
  JSON_LINES {
    @Override
    void writeOne(AccessRecord r, Appendable out) throws IOException {
      List<String> values = fieldsOf(r);
      out.append('{');
      for (int i = 0; i < COLUMNS.size(); i++) {
        out.append(i == 0 ? "" : ",").append('"').append(COLUMNS.get(i)).append("\":");
        String v = values.get(i);
        out.append(v == null ? "null" : NUMBERS.contains(COLUMNS.get(i)) ? v : quoteJson(v));
      }
      out.append("}\n");
    }

    @Override
    List<AccessRecord> readAll(BufferedReader in) throws IOException {
      List<AccessRecord> result = new ArrayList<>();
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (!line.isBlank()) {
          result.add(fromFields(new JsonLine(line, n).parse(), n));
        }
      }
      return result;
    }
  },

  CSV {
    @Override
    void writeHeader(Appendable out) throws IOException {
      out.append(String.join(",", COLUMNS)).append("\r\n");
    }

    @Override
    void writeOne(AccessRecord r, Appendable out) throws IOException {
      List<String> values = fieldsOf(r);
      for (int i = 0; i < values.size(); i++) {
        out.append(i == 0 ? "" : ",").append(values.get(i) == null ? "" : quoteCsv(values.get(i)));
      }
      out.append("\r\n");
    }

    @Override
    List<AccessRecord> readAll(BufferedReader in) throws IOException {
      List<List<String>> rows = CsvRows.parse(in);
      List<String> columns = rows.isEmpty() ? List.of() : rows.get(0);
      if (!columns.equals(COLUMNS) && !columns.equals(COLUMNS.subList(0, COLUMNS.size() - 1))) {
        throw new IllegalArgumentException("not an m365sync access audit CSV: the first line must be "
            + String.join(",", COLUMNS));
      }
      List<AccessRecord> result = new ArrayList<>();
      for (int i = 1; i < rows.size(); i++) {
        List<String> row = rows.get(i);
        if (row.size() != columns.size()) {
          throw new IllegalArgumentException("access audit CSV line " + (i + 1) + " has " + row.size()
              + " fields, expected " + columns.size());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
          fields.put(columns.get(c), row.get(c).isEmpty() ? null : row.get(c));
        }
        result.add(fromFields(fields, i + 1));
      }
      return result;
    }
  };

  static final List<String> COLUMNS = List.of("tenant", "mailbox", "resource", "startedAt", "finishedAt", "outcome",
      "requests", "errorCode", "rounds");
  private static final Set<String> NUMBERS = Set.of("requests", "rounds");

  /** Writes {@code records} (with the CSV header), in their order. */
  public void write(List<AccessRecord> records, Appendable out) {
    try {
      writeHeader(out);
      for (AccessRecord r : records) {
        writeOne(r, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing the access audit export failed: " + e.getMessage(), e);
    }
  }

  /**
   * Reads what {@link #write} wrote.
   *
   * @throws IllegalArgumentException naming the line that is not a record of this format
   */
  public List<AccessRecord> read(Reader in) {
    try {
      return readAll(in instanceof BufferedReader b ? b : new BufferedReader(in));
    } catch (IOException e) {
      throw new UncheckedIOException("reading the access audit export failed: " + e.getMessage(), e);
    }
  }

  void writeHeader(Appendable out) throws IOException {}

  abstract void writeOne(AccessRecord record, Appendable out) throws IOException;

  abstract List<AccessRecord> readAll(BufferedReader in) throws IOException;

  private static List<String> fieldsOf(AccessRecord r) {
    List<String> v = new ArrayList<>();
    v.add(r.mailbox().tenant().value());
    v.add(r.mailbox().userObjectId());
    v.add(r.resource().name());
    v.add(r.startedAt().toString());
    v.add(r.finishedAt().toString());
    v.add(r.outcome().name());
    v.add(Integer.toString(r.requests()));
    v.add(r.errorCode());
    v.add(Integer.toString(r.rounds()));
    return v;
  }

  private static AccessRecord fromFields(Map<String, String> f, int line) {
    try {
      return new AccessRecord(MailboxId.of(f.get("tenant"), f.get("mailbox")), Resource.valueOf(f.get("resource")),
          Instant.parse(f.get("startedAt")), Instant.parse(f.get("finishedAt")),
          AccessRecord.Outcome.valueOf(f.get("outcome")), Integer.parseInt(f.get("requests")), f.get("errorCode"),
          f.get("rounds") == null ? 1 : Integer.parseInt(f.get("rounds")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("access audit export line " + line + " is not a record: " + e.getMessage(), e);
    }
  }

  private static String quoteCsv(String v) {
    return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
        ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  private static String quoteJson(String v) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** A flat JSON object of strings, whole numbers and nulls: all this format writes. */
  private static final class JsonLine {
    private final String s;
    private final int line;
    private int i;

    JsonLine(String s, int line) {
      this.s = s.strip();
      this.line = line;
    }

    Map<String, String> parse() {
      Map<String, String> fields = new LinkedHashMap<>();
      expect('{');
      skipSpace();
      if (peek() == '}') {
        i++;
        return fields;
      }
      while (true) {
        skipSpace();
        String key = string();
        skipSpace();
        expect(':');
        skipSpace();
        fields.put(key, value());
        skipSpace();
        char c = next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw fail("expected ',' or '}'");
        }
      }
      if (i != s.length()) {
        throw fail("text after the object");
      }
      return fields;
    }

    private String value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '-')) {
        i++;
      }
      String word = s.substring(start, i);
      return word.equals("null") ? null : word;
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw fail("short \\u escape");
            }
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e); // \" \\ \/
        }
      }
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw fail("unexpected end");
      }
      return s.charAt(i);
    }

    private char next() {
      char c = peek();
      i++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) {
        throw fail("expected '" + c + "'");
      }
    }

    private IllegalArgumentException fail(String what) {
      return new IllegalArgumentException("access audit export line " + line + " is not JSON: " + what
          + " at column " + (i + 1));
    }
  }

  /** RFC 4180 rows: quoted fields may hold commas, quotes and line breaks. */
  private static final class CsvRows {
    static List<List<String>> parse(BufferedReader in) throws IOException {
      List<List<String>> rows = new ArrayList<>();
      List<String> row = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean any = false;
      int c;
      while ((c = in.read()) != -1) {
        any = true;
        if (quoted) {
          if (c == '"') {
            in.mark(1);
            int n = in.read();
            if (n == '"') {
              field.append('"');
            } else {
              quoted = false;
              if (n != -1) {
                in.reset();
              }
            }
          } else {
            field.append((char) c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          row.add(field.toString());
          field.setLength(0);
        } else if (c == '\n') {
          row.add(field.toString());
          field.setLength(0);
          rows.add(row);
          row = new ArrayList<>();
          any = false;
        } else if (c != '\r') {
          field.append((char) c);
        }
      }
      if (any) {
        row.add(field.toString());
        rows.add(row);
      }
      return rows;
    }
  }
}
