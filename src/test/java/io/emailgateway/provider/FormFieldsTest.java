package io.emailgateway.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormFieldsTest {

  @Test
  void urlEncodedValuesAreDecodedAsUtf8WithPlusAsSpace() {
    FormFields form = urlEncoded("name=J%C3%BCrgen+M%C3%BCller&empty=&bare&a%26b=c%3Dd");
    assertThat(form.first("name")).isEqualTo("Jürgen Müller");
    assertThat(form.first("empty")).isEmpty();
    assertThat(form.first("bare")).isEmpty();
    assertThat(form.first("a&b")).isEqualTo("c=d");
  }

  @Test
  void repeatedFieldsKeepEveryValueInOrder() {
    FormFields form = urlEncoded("tag=one&token=variable&tag=two&token=mailgun");
    assertThat(form.all("tag")).containsExactly("one", "two");
    assertThat(form.first("token")).isEqualTo("variable");
    assertThat(form.last("token")).isEqualTo("mailgun");
    assertThat(form.toJson()).isEqualTo(new JsonObject()
        .put("tag", new JsonArray().add("one").add("two")).put("token", new JsonArray().add("variable").add("mailgun")));
    assertThat(form.lastValuesSorted()).containsExactly(Map.entry("tag", "two"), Map.entry("token", "mailgun"));
  }

  @Test
  void aMalformedPercentEscapeIsABadRequest() {
    assertThatThrownBy(() -> urlEncoded("a=%G1"))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void multipartFieldsAreReadAndFilePartsSkipped() {
    String body = part("event", "bounced") + "--XX\r\nContent-Disposition: form-data; name=\"attachment-1\"; "
        + "filename=\"m.eml\"\r\nContent-Type: message/rfc822\r\n\r\nSubject: hi\r\n\r\nbody\r\n" + part("tag", "ü") + "--XX--\r\n";
    FormFields form = multipart(body);
    assertThat(form.grouped().keySet()).containsExactly("event", "tag");
    assertThat(form.first("tag")).isEqualTo("ü");
  }

  @Test
  void aMultipartFieldOfSeveralMegabytesIsReadWhole() {
    String big = "x".repeat(3 * 1024 * 1024);
    assertThat(multipart(part("mandrill_events", big) + "--XX--\r\n").first("mandrill_events")).hasSize(big.length());
  }

  @Test
  void aMultipartPartWithATruncatedContentDispositionIsABadRequestNotACrash() {
    assertThatThrownBy(() -> multipart("--XX\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--XX--\r\n"))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void aMultipartBodyWithoutItsBoundaryIsABadRequest() {
    WebhookRequest request = TestRequests.request("multipart/form-data", Map.of(), "x=1".getBytes(UTF_8));
    assertThatThrownBy(() -> FormFields.parse(request))
        .isInstanceOfSatisfying(WebhookException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  private static String part(String name, String value) {
    return "--XX\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }

  private static FormFields urlEncoded(String body) {
    return FormFields.parse(TestRequests.request(FormFields.URLENCODED, Map.of(), body.getBytes(UTF_8)));
  }

  private static FormFields multipart(String body) {
    return FormFields.parse(TestRequests.request("multipart/form-data; boundary=XX", Map.of(), body.getBytes(UTF_8)));
  }
}
