package io.deskgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.PgDatabase;
import io.deskgate.testing.RawHttp;
import io.deskgate.testing.TestNode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz of the whole HTTP surface on PostgreSQL: methods x paths x queries x headers x content
 * types x bodies x framing, each request on its own connection. Every request must be answered within
 * 5 s, never with a 5xx, every error in the contract's shape (Keystone's shape on the IAM token calls),
 * and the node must serve normally afterwards. {@code -Ddeskgate.fuzz.seed} and {@code .requests} vary it.
 */
class HttpFuzzTest {

  static final long SEED = Long.getLong("deskgate.fuzz.seed", 1);
  static final int REQUESTS = Integer.getInteger("deskgate.fuzz.requests", 6000);

  static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
      "TRACE", "FOO"};
  static final String[] PATHS = {
      "/v2/{p}/desktops", "/v2/{p}/desktops/{d}", "/v2/{p}/desktops/{d}/remote-consoles", "/v2/{p}/desktops/detail",
      "/v2/{p}/desktops/action", "/v2/{p}/workspace-jobs/{d}", "/v2/{p}/console-sessions", "/v3/auth/tokens",
      "/v3.0/OS-CREDENTIAL/credentials", "/v3.0/OS-CREDENTIAL/credentials/{d}", "/v5/decode-authorization-message",
      "/vnc/console/vnc_auto.html", "/vnc/console/session", "/vnc/console/websockify", "/vnc/console/console.js",
      "/healthz", "/metrics", "/", "/v2/%7Bproject_id%7D/desktops/{d}/remote-consoles", "/v2", "/v3", "/x/{d}"};
  static final String[] SEGMENTS = {"%zz", "%0", "%00", "%2F", "%C3%28", "..", ".", "", "%25", ";x=1", "%E2%80%AE",
      "%FF%FE", "a".repeat(3000), "{}", "%7B%7D", "*", "~user", "%2e%2e", "%5C", "%0D%0AX:%20y"};
  static final String[] QUERIES = {"", "", "?a=%zz", "?limit=-1", "?limit=abc", "?offset=99999999999999999999",
      "?limit=1000&offset=0", "?token=0f5e7a8c-3b2d-4e1f-9a6b-7c8d9e0f1a2b", "?a=1&a=2", "?%00=1", "?computer_name=%00",
      "?status=ACTIVE&computer_name=" + "x".repeat(500), "?=", "?&&&", "?lang=ZH-CN", "?user_name=%C0%AF"};
  static final String[] CONTENT_TYPES = {null, "application/json", "application/json;charset=UTF-8",
      "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain", "garbage/;;;",
      "application/vnd.api+json", "", "multipart/form-data"};

  @Test
  void noRequestGetsA5xxOrGoesUnansweredAndEveryErrorHasTheContractsShape() {
    try (PgDatabase pg = PgDatabase.create();
         TestNode node = TestNode.start(TestNode.standardInventory(5999), Map.of("DESKGATE_DB_URL", pg.jdbcUrl(),
             "DESKGATE_API_RATE_LIMIT_REQUESTS_PER_SECOND", "0"))) {
      String token = node.token("alice", "alice-pass-1", TestNode.PROJECT);
      Random random = new Random(SEED);
      List<String> faults = new ArrayList<>();
      int byStatus4xx = 0;
      for (int i = 0; i < REQUESTS && faults.size() < 20; i++) {
        Request request = request(random, token);
        RawHttp.Response r;
        try (RawHttp http = new RawHttp(node.node().port())) {
          http.send(request.bytes());
          r = http.read(request.method(), Duration.ofSeconds(5));
        }
        String fault = fault(request, r);
        if (fault != null) {
          faults.add("#" + i + " " + fault + "\n    " + request.describe());
        } else if (r.status() >= 400) {
          byStatus4xx++;
        }
      }
      assertThat(faults).as("seed " + SEED).isEmpty();
      assertThat(byStatus4xx).as("the fuzz reaches error paths").isGreaterThan(REQUESTS / 4);
      assertThat(node.get("/healthz").statusCode()).isEqualTo(200);
      String fresh = node.token("alice", "alice-pass-1", TestNode.PROJECT);
      assertThat(node.get("/v2/" + TestNode.PROJECT + "/desktops", "X-Auth-Token", fresh).statusCode()).isEqualTo(200);
    }
  }

  record Request(String method, String target, List<String> headers, byte[] body, boolean chunked) {
    byte[] bytes() {
      StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      headers.forEach(h -> head.append(h).append("\r\n"));
      head.append("\r\n");
      byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
      byte[] b = body;
      if (chunked && body.length > 0) {
        b = (Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
      } else if (chunked) {
        b = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
      }
      byte[] all = new byte[h.length + b.length];
      System.arraycopy(h, 0, all, 0, h.length);
      System.arraycopy(b, 0, all, h.length, b.length);
      return all;
    }

    String describe() {
      String text = method + " " + target + " " + headers + " body=" + new String(body, StandardCharsets.ISO_8859_1);
      return text.length() > 400 ? text.substring(0, 400) + "..." : text;
    }
  }

  static String fault(Request request, RawHttp.Response r) {
    if (r.status() == null) {
      return r.closed() ? "closed without an answer" : "no answer within 5 s";
    }
    if (r.status() >= 500) {
      return "answered " + r.status() + " " + r.body();
    }
    if (r.status() < 400 || request.method().equals("HEAD")) {
      return null;
    }
    if (!"application/json".equals(r.header("content-type"))) {
      return "error " + r.status() + " with content type " + r.header("content-type") + ": " + r.body();
    }
    try {
      JsonObject body = new JsonObject(r.body());
      boolean contract = body.getValue("error_code") instanceof String && body.getValue("error_msg") instanceof String;
      boolean keystone = request.target().startsWith("/v3/auth/") && body.getValue("error") instanceof JsonObject;
      return contract || keystone ? null : "error " + r.status() + " not in the contract's shape: " + r.body();
    } catch (DecodeException | ClassCastException e) {
      return "error " + r.status() + " body is not JSON: " + r.body();
    }
  }

  static Request request(Random random, String token) {
    String method = pick(random, METHODS);
    String path = pick(random, PATHS).replace("{p}", random.nextInt(4) == 0 ? pick(random, SEGMENTS) : TestNode.PROJECT)
        .replace("{d}", random.nextInt(3) == 0 ? pick(random, SEGMENTS) : TestNode.DESKTOP);
    if (random.nextInt(6) == 0) {
      path = path + "/" + pick(random, SEGMENTS);
    }
    String target = path + pick(random, QUERIES);
    List<String> headers = new ArrayList<>();
    int hostCase = random.nextInt(20);
    if (hostCase == 0) {
      headers.add("Host: a");
      headers.add("Host: b");
    } else if (hostCase == 1) {
      headers.add("Host:");
    } else if (hostCase != 2) {
      headers.add("Host: 127.0.0.1");
    }
    switch (random.nextInt(6)) {
      case 0, 1 -> headers.add("X-Auth-Token: " + token);
      case 2 -> headers.add("X-Auth-Token: " + pick(random, new String[] {"", "x", "a".repeat(5000), token + "x",
          "%00", "\u00e9\u00e9"}));
      case 3 -> headers.add("Authorization: SDK-HMAC-SHA256 Access=" + TestNode.ALICE_AK
          + ", SignedHeaders=host;x-sdk-date, Signature=" + "0".repeat(random.nextInt(70)));
      default -> { }
    }
    if (random.nextInt(4) == 0) {
      headers.add("X-Sdk-Date: " + pick(random, new String[] {"20261204T000000Z", "garbage", "", "99999999T999999Z"}));
    }
    if (random.nextInt(8) == 0) {
      headers.add("Origin: " + pick(random, new String[] {"https://evil.example", "null", "http://127.0.0.1"}));
    }
    if (random.nextInt(10) == 0) {
      headers.add("Upgrade: websocket");
      headers.add("Connection: Upgrade");
      headers.add("Sec-WebSocket-Version: 13");
      headers.add("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    }
    if (random.nextInt(10) == 0) {
      headers.add("X-Forwarded-For: " + pick(random, new String[] {"1.2.3.4", "garbage", "::1, 10.0.0.1", ""}));
    }
    String contentType = pick(random, CONTENT_TYPES);
    if (contentType != null) {
      headers.add("Content-Type: " + contentType);
    }
    byte[] body = body(random);
    boolean chunked = random.nextInt(8) == 0;
    int framing = random.nextInt(25);
    if (chunked) {
      headers.add("Transfer-Encoding: chunked");
      if (framing == 0) {
        headers.add("Content-Length: " + body.length);
      }
    } else if (body.length > 0 || random.nextBoolean()) {
      // a declared length shorter than the body (the rest reads as a next request) or a negative one; a longer
      // one only waits for the body deadline, which HttpEdgeTest covers
      headers.add("Content-Length: " + (framing == 0 ? Math.max(0, body.length - 3) : framing == 1 ? -1 : body.length));
    }
    if (framing == 2) {
      headers.add("Transfer-Encoding: gzip");
    }
    return new Request(method, target, headers, body, chunked);
  }

  static byte[] body(Random random) {
    String login = TestNode.loginBody("alice", random.nextBoolean() ? "alice-pass-1" : "wrong", TestNode.PROJECT).encode();
    String text = switch (random.nextInt(14)) {
      case 0, 1, 2 -> "";
      case 3 -> login;
      case 4 -> login.replace("alice", "ali\\u0000ce");
      case 5 -> "{\"token\":\"0f5e7a8c-3b2d-4e1f-9a6b-7c8d9e0f1a2b\"}";
      case 6 -> "{\"desktops\":[{\"desktop_id\":\"" + TestNode.DESKTOP + "\"}],\"op_type\":\"os-stop\",\"type\":\"SOFT\"}";
      case 7 -> "{\"broken\":";
      case 8 -> "[".repeat(2000) + "]".repeat(2000);
      case 9 -> "{\"a\":\"" + "x".repeat(200_000) + "\"}";
      case 10 -> "a=b&c=d";
      case 11 -> "--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nAAAA\r\n--xyz--\r\n";
      case 12 -> "{\"credential\":{\"description\":\"" + "\u00e9".repeat(300) + "\"},\"encoded_authorization_message\":1}";
      default -> "\u0000\u0001\u00ff{}";
    };
    return text.getBytes(random.nextInt(5) == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  static String pick(Random random, String[] choices) {
    return choices[random.nextInt(choices.length)];
  }
}
