package io.deskgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
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

  @Test
  void anExceptionIsOnTheEventsLineUnlessStackTracesAreAskedFor() {
    LoggerContext context = new LoggerContext();
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.getInstanceConverterMap().put("maskedMsg", LogMask.Message::new);
    layout.getInstanceConverterMap().put("maskedEx", LogMask.Throwable::new);
    layout.setPattern("%level %maskedMsg%maskedEx%n");
    layout.start();
    Logger logger = context.getLogger("t");
    IOException thrown = new IOException("cannot read /x?token=" + TOKEN, new IllegalStateException("inner\ncause"));
    LoggingEvent event = new LoggingEvent("t", logger, Level.WARN, "it failed", thrown, null);

    String line = layout.doLayout(event);
    assertThat(line.strip()).doesNotContain("\n").doesNotContain(TOKEN)
        .startsWith("WARN it failed ! java.io.IOException: cannot read /x?token=***")
        .contains(" <- java.lang.IllegalStateException: inner cause")
        .contains("(at io.deskgate.web.LogMaskTest.anExceptionIsOnTheEventsLineUnlessStackTracesAreAskedFor(");
    assertThat(layout.doLayout(new LoggingEvent("t", logger, Level.INFO, "fine", null, null))).isEqualTo("INFO fine\n");

    context.putProperty(Logging.STACK_TRACES, "true");
    String trace = layout.doLayout(event);
    assertThat(trace.lines().count()).isGreaterThan(5);
    assertThat(trace).startsWith("WARN it failed\njava.io.IOException: cannot read /x?token=***").doesNotContain(TOKEN)
        .contains("Caused by: java.lang.IllegalStateException");
  }
}
