package io.emailgateway.metrics;

import java.util.Set;
import java.util.TreeSet;

/**
 * The metric names a PromQL expression reads. A small scanner rather than a PromQL parser: it
 * skips label matchers ({@code {…}}), range and subquery brackets ({@code […]}), strings and
 * numbers, the label lists of {@code by}/{@code without}/{@code on}/{@code ignoring}/
 * {@code group_left}/{@code group_right}, function names (an identifier followed by {@code (}),
 * aggregation operators (also before {@code by (…)}) and keywords; every other identifier is a
 * metric name.
 */
final class PromQlMetricNames {
  private static final Set<String> LABEL_LIST_MODIFIERS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2",
      "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
      "limitk", "limit_ratio");

  private PromQlMetricNames() {}

  static Set<String> of(String expr) {
    Set<String> names = new TreeSet<>();
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '{') {
        i = skipTo(expr, i, '}');
      } else if (c == '[') {
        i = skipTo(expr, i, ']');
      } else if (c == '#') {
        i = skipTo(expr, i, '\n');
      } else if (Character.isDigit(c) || c == '.' && i + 1 < expr.length() && Character.isDigit(expr.charAt(i + 1))) {
        i = skipNumber(expr, i);
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int end = i;
        while (end < expr.length() && isNamePart(expr.charAt(end))) {
          end++;
        }
        String word = expr.substring(i, end);
        int next = skipSpaces(expr, end);
        boolean call = next < expr.length() && expr.charAt(next) == '(';
        if (call && LABEL_LIST_MODIFIERS.contains(word.toLowerCase())) {
          end = skipTo(expr, next, ')');
        } else if (word.equalsIgnoreCase("offset")) {
          end = skipDuration(expr, next);
        } else if (!call && !KEYWORDS.contains(word.toLowerCase()) && !LABEL_LIST_MODIFIERS.contains(word.toLowerCase())) {
          names.add(word);
        }
        i = end;
      } else {
        i++;
      }
    }
    return names;
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  private static int skipSpaces(String expr, int i) {
    while (i < expr.length() && Character.isWhitespace(expr.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Past the closing character, skipping strings on the way (a matcher value may hold "}" or "]"). */
  private static int skipTo(String expr, int i, char close) {
    int j = i + 1;
    while (j < expr.length() && expr.charAt(j) != close) {
      char c = expr.charAt(j);
      j = c == '"' || c == '\'' || c == '`' ? skipString(expr, j) : j + 1;
    }
    return j + 1;
  }

  private static int skipString(String expr, int i) {
    char quote = expr.charAt(i);
    int j = i + 1;
    while (j < expr.length() && expr.charAt(j) != quote) {
      j += expr.charAt(j) == '\\' && quote != '`' ? 2 : 1;
    }
    return j + 1;
  }

  private static int skipNumber(String expr, int i) {
    int j = i;
    while (j < expr.length()) {
      char c = expr.charAt(j);
      boolean exponentSign = (c == '+' || c == '-') && (expr.charAt(j - 1) == 'e' || expr.charAt(j - 1) == 'E');
      if (!(Character.isLetterOrDigit(c) || c == '.' || exponentSign)) {
        break;
      }
      j++;
    }
    return j;
  }

  private static int skipDuration(String expr, int i) {
    int j = i;
    while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || expr.charAt(j) == '-')) {
      j++;
    }
    return j;
  }
}
