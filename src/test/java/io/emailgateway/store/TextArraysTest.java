package io.emailgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextArraysTest {
  @Test
  void everyElementIsQuotedAndOnlyQuotesAndBackslashesAreEscaped() {
    assertThat(TextArrays.literal(List.of("welcome", "a \"b\"", "c\\d", "{x,y}", "NULL", "")))
        .isEqualTo("{\"welcome\",\"a \\\"b\\\"\",\"c\\\\d\",\"{x,y}\",\"NULL\",\"\"}");
  }

  @Test
  void noTagsIsTheEmptyArray() {
    assertThat(TextArrays.literal(List.of())).isEqualTo("{}");
  }
}
