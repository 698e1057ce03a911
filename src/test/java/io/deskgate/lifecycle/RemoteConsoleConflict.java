package io.deskgate.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;

/** The remote-console call's answer for a desktop that is not running. */
final class RemoteConsoleConflict {

  private RemoteConsoleConflict() {}

  static void assertConflict(HttpResponse<String> r, String state) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error_code")).isEqualTo("WKS.00010032");
    assertThat(body.getString("error_msg")).contains("status is [" + state + "]");
  }
}
