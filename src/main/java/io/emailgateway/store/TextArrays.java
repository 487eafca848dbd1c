package io.emailgateway.store;

import java.util.List;

/**
 * PostgreSQL array literals of text, such as {@code {"welcome","a \"b\""}}: how the tags of a batch
 * travel inside one {@code text[]} parameter (arrays cannot nest) and become a {@code text[]} again
 * with a plain cast on the server. Every element is quoted, so commas, braces, blanks and the word
 * NULL are only text; inside the quotes only the backslash and the double quote need escaping.
 */
final class TextArrays {
  private TextArrays() {}

  static String literal(List<String> values) {
    if (values.isEmpty()) {
      return "{}";
    }
    StringBuilder out = new StringBuilder(2 + values.size() * 16).append('{');
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "\"" : ",\"");
      String value = values.get(i);
      for (int c = 0; c < value.length(); c++) {
        char ch = value.charAt(c);
        if (ch == '"' || ch == '\\') {
          out.append('\\');
        }
        out.append(ch);
      }
      out.append('"');
    }
    return out.append('}').toString();
  }
}
