package io.deskgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two test vectors of the contract (spec section 4.2), and the canonicalization rules around them. */
class AkSkSignatureTest {

  private static final String SK = "probeSecretKey/with+special=chars";
  private static final String DATE = "20261127T081604Z";
  private static final List<String> SIGNED = List.of("host", "user-agent", "x-project-id", "x-sdk-date");
  private static final Map<String, String> HEADERS = Map.of(
      "host", "127.0.0.1:18080",
      "user-agent", "huaweicloud-usdk-java/3.0",
      "x-project-id", "0bec5db98280d2d02fd6c00c2de791ce",
      "x-sdk-date", DATE);

  @Test
  void remoteConsoleGetVector() {
    String canonical = AkSkSignature.canonicalRequest("GET",
        "/v2/0bec5db98280d2d02fd6c00c2de791ce/desktops/2b31ed52-d520-4c1a-9b6e-e57d1a2b3c4d/remote-consoles", "",
        SIGNED, HEADERS::get, Digests.sha256Hex(new byte[0]));
    String stringToSign = AkSkSignature.stringToSign(DATE, canonical);
    assertThat(stringToSign).endsWith("\ncc92ea5726716f3fe9d9050ec6b9c4d6f64864678d1e14221e789e16dcd9ef3b");
    assertThat(AkSkSignature.signature(SK, stringToSign))
        .isEqualTo("fc7366027f664240ec1b262e462455cb566d130110c005f8c9f467366e8b8d27");
  }

  @Test
  void desktopActionPostVector() {
    byte[] body = "{\"desktop_ids\":[\"d-1\",\"d-2\"],\"op_type\":\"os-stop\",\"type\":\"SOFT\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(Digests.sha256Hex(body)).isEqualTo("08681a78f4af00164c6ffdd142086d12560d11faaa5cf5dd19163547b4bc1900");
    String canonical = AkSkSignature.canonicalRequest("POST", "/v2/0bec5db98280d2d02fd6c00c2de791ce/desktops/action",
        null, SIGNED, HEADERS::get, Digests.sha256Hex(body));
    assertThat(AkSkSignature.signature(SK, AkSkSignature.stringToSign(DATE, canonical)))
        .isEqualTo("6f0b2e4208a54eb3968561dc1f71779ee3639cfeb561ec3e129e935986651810");
  }

  @Test
  void canonicalUriDecodesThenReencodesEverySegmentAndEndsWithSlash() {
    assertThat(AkSkSignature.canonicalUri("/v2/%7Bproject_id%7D/a b/x%2fy/")).isEqualTo("/v2/%7Bproject_id%7D/a%20b/x%2Fy/");
    assertThat(AkSkSignature.canonicalUri("/v2/p/desktops")).isEqualTo("/v2/p/desktops/");
    assertThat(AkSkSignature.canonicalUri("/v2/p/%E4%B8%AD~._-")).isEqualTo("/v2/p/%E4%B8%AD~._-/");
  }

  @Test
  void canonicalQuerySortsByKeyKeepsRepeatsInOrderAndKeepsPlus() {
    assertThat(AkSkSignature.canonicalQuery("limit=10&computer_name=a+b&status=ACTIVE&b=2&b=1&flag"))
        .isEqualTo("b=2&b=1&computer_name=a%2Bb&flag=&limit=10&status=ACTIVE");
    assertThat(AkSkSignature.canonicalQuery("name=%E4%B8%AD%20x")).isEqualTo("name=%E4%B8%AD%20x");
    assertThat(AkSkSignature.canonicalQuery(null)).isEmpty();
  }

  @Test
  void parsesTheAuthorizationHeaderAndRejectsGarbage() {
    var header = AkSkSignature.parse("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature="
        + "fc7366027f664240ec1b262e462455cb566d130110c005f8c9f467366e8b8d27").orElseThrow();
    assertThat(header.accessKey()).isEqualTo("AK1");
    assertThat(header.signedHeaders()).containsExactly("host", "x-sdk-date");
    assertThat(AkSkSignature.parse("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=nothex")).isEmpty();
    assertThat(AkSkSignature.parse("Bearer abc")).isEmpty();
    assertThat(AkSkSignature.coversRequired(List.of("host", "user-agent"))).isFalse();
  }
}
