package io.emailgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which {@code Authorization} fields open the admin API (AdminTokenIT sends them to the real jar). */
class AdminAuthTest {
  private static final String TOKEN = "Zm9vYmFyLWFkbWluLXRva2VuLTAxMjM0NTY3";

  @Test
  void theBearerTokenOpensWhateverTheCaseOfTheScheme() {
    for (String header : List.of("Bearer " + TOKEN, "bearer " + TOKEN, "BEARER " + TOKEN, "Bearer  " + TOKEN + " ")) {
      assertThat(AdminAuth.authorized(TOKEN, List.of(header))).as(header).isTrue();
    }
  }

  @Test
  void anythingElseIsRefused() {
    List<String> refused = List.of("", "Bearer", "Bearer ", "Bearer wrong", "Bearer " + TOKEN + "x",
        "Bearer " + TOKEN.substring(1), "Bearer " + TOKEN.substring(0, TOKEN.length() - 1),
        "Bearer " + TOKEN.substring(0, TOKEN.length() / 2), "Bearer " + TOKEN.toLowerCase(), "Basic " + TOKEN, TOKEN,
        "Token " + TOKEN, "Bearer " + TOKEN + ", Bearer wrong", "Bearer\t" + TOKEN, "Bearer" + TOKEN);
    for (String header : refused) {
      assertThat(AdminAuth.authorized(TOKEN, List.of(header))).as(header).isFalse();
    }
    assertThat(AdminAuth.authorized(TOKEN, List.of())).as("no Authorization").isFalse();
  }

  @Test
  void aRepeatedAuthorizationFieldIsRefusedEvenWhenOneOrBothHoldTheToken() {
    String right = "Bearer " + TOKEN;
    assertThat(AdminAuth.authorized(TOKEN, List.of(right, "Bearer wrong"))).isFalse();
    assertThat(AdminAuth.authorized(TOKEN, List.of("Bearer wrong", right))).isFalse();
    assertThat(AdminAuth.authorized(TOKEN, List.of(right, right))).isFalse();
  }
}
