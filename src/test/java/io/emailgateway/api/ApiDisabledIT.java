package io.emailgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.emailgateway.testing.Http;
import io.emailgateway.testing.TestDatabase;
import io.emailgateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Without admin.token the API does not exist: an empty token never means "open". */
class ApiDisabledIT {

  @Test
  void emptyAdminTokenMeansNoAdminRoutesAtAll() throws Exception {
    try (TestDatabase db = new TestDatabase(getClass());
        TestGateway gateway = TestGateway.start(db.uri(), new JsonArray(),
            new JsonObject().put("admin", new JsonObject().put("token", "")).put("handlers", new JsonObject().put("enabled", false)))) {
      AdminClient api = new AdminClient(gateway.managementPort(), "");
      assertThat(api.send("GET", "/events", null, null).statusCode()).isEqualTo(404);
      assertThat(api.send("GET", "/openapi.yaml", "", null).statusCode()).isEqualTo(404);
      assertThat(Http.get(gateway.managementPort(), "/health/live").statusCode()).isEqualTo(200);
    }
  }
}
