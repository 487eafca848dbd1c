package io.emailgateway.api;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Typed reads of a request's query parameters. Every mistake is a 400 that names the parameter:
 * an unknown name (a typo in a filter must not silently widen a query), a repeated one, a
 * malformed time or number, a value outside its range.
 */
final class Params {
  private final MultiMap query;

  private Params(MultiMap query) {
    this.query = query;
  }

  /** The query of {@code ctx}, refused when it carries a parameter outside {@code allowed}. */
  static Params of(RoutingContext ctx, Set<String> allowed) {
    MultiMap query = ctx.queryParams();
    for (String name : query.names()) {
      if (!allowed.contains(name)) {
        throw ApiException.badParameter(name, "unknown parameter; accepted: " + String.join(", ", allowed.stream().sorted().toList()));
      }
      if (query.getAll(name).size() > 1) {
        throw ApiException.badParameter(name, "given more than once");
      }
    }
    return new Params(query);
  }

  /** The value, or null when absent or empty. */
  String string(String name) {
    String value = query.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  String oneOf(String name, Set<String> values) {
    String value = string(name);
    if (value != null && !values.contains(value)) {
      throw ApiException.badParameter(name, "expected one of " + String.join(", ", values.stream().sorted().toList()));
    }
    return value;
  }

  /** An ISO-8601 instant such as {@code 2026-11-26T10:00:00Z} (an offset is required). */
  OffsetDateTime time(String name) {
    String value = string(name);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).withOffsetSameInstant(java.time.ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ApiException.badParameter(name, "expected an ISO-8601 time with offset, e.g. 2026-11-26T10:00:00Z");
    }
  }

  int limit(int fallback, int max) {
    String value = string("limit");
    if (value == null) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badParameter("limit", "expected an integer from 1 to " + max);
  }

  Boolean bool(String name) {
    String value = string(name);
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.badParameter(name, "expected true or false");
    };
  }

  static long id(RoutingContext ctx, String name) {
    try {
      return Long.parseLong(ctx.pathParam(name));
    } catch (NumberFormatException e) {
      throw ApiException.badParameter(name, "expected an integer id");
    }
  }
}
