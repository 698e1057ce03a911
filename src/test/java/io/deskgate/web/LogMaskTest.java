package io.deskgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogMaskTest {

  static final String TOKEN = "0f5e7a8c-3b2d-4e1f-9a6b-7c8d9e0f1a2b";

  @Test
  void tokensInQueriesAreMaskedPlainOrPercentEncoded() {
    assertThat(LogMask.mask("GET /vnc/console/websockify?token=" + TOKEN + "&x=1"))
        .isEqualTo("GET /vnc/console/websockify?token=***&x=1");
    assertThat(LogMask.mask("bad uri /vnc/console/vnc_lite.html?path=websockify%3Ftoken%3D" + TOKEN + " end"))
        .isEqualTo("bad uri /vnc/console/vnc_lite.html?path=websockify%3Ftoken%3D*** end");
    assertThat(LogMask.mask("/x?path=websockify%253FTOKEN%253D" + TOKEN)).doesNotContain(TOKEN);
    assertThat(LogMask.mask("/x?a=1&Token=" + TOKEN)).doesNotContain(TOKEN);
  }

  @Test
  void tokensInJsonAndHeadersAreMasked() {
    assertThat(LogMask.mask("body {\"token\": \"" + TOKEN + "\"}")).isEqualTo("body {\"token\": \"***\"}");
    assertThat(LogMask.mask("X-Auth-Token: abcDEF_123-xyz")).isEqualTo("X-Auth-Token: ***");
    assertThat(LogMask.mask("sec-websocket-protocol: binary, " + TOKEN)).doesNotContain(TOKEN);
  }

  @Test
  void otherTextIsLeftAlone() {
    String line = "req=0123 GET /v2/p/desktops/" + TOKEN + "/remote-consoles -> 200";
    assertThat(LogMask.mask(line)).isSameAs(line);
    assertThat(LogMask.mask(null)).isNull();
  }
}
