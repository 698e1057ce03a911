package io.deskgate.web;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of every log line, whatever wrote it (Deskgate, Vert.x, Netty, a JDBC driver):
 * console and IAM tokens in query strings (also percent-encoded once or twice, as noVNC's
 * {@code path=websockify%3Ftoken%3D...} carries them), in JSON bodies and in header dumps are replaced
 * by {@code ***}. Wired into logback.xml as the {@code %maskedMsg} and {@code %maskedEx} conversions.
 */
public final class LogMask {

  private static final String MASK = "***";
  private static final Pattern QUERY = Pattern.compile("(?i)(token(?:=|%3D|%253D))[^&\\s\"'<>]*");
  private static final Pattern JSON = Pattern.compile("(?i)(\"token\"\\s*:\\s*\")[^\"]*");
  private static final Pattern HEADER = Pattern.compile(
      "(?i)((?:x-auth-token|x-subject-token)\\s*[:=]\\s*)[^\\s,;]+");
  /** The console page may offer its token as a WebSocket subprotocol entry: mask the whole list. */
  private static final Pattern SUBPROTOCOLS = Pattern.compile("(?i)(sec-websocket-protocol\\s*[:=]\\s*)[^\\r\\n]*");

  private LogMask() {}

  public static String mask(String text) {
    if (text == null || !(text.contains("oken") || text.contains("OKEN") || text.contains("rotocol")
        || text.contains("ROTOCOL"))) {
      return text;
    }
    String masked = QUERY.matcher(text).replaceAll("$1" + MASK);
    masked = JSON.matcher(masked).replaceAll("$1" + MASK);
    masked = HEADER.matcher(masked).replaceAll("$1" + MASK);
    return SUBPROTOCOLS.matcher(masked).replaceAll("$1" + MASK);
  }

  /** {@code %maskedMsg}: the formatted message, masked. */
  public static final class Message extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return mask(event.getFormattedMessage());
    }
  }

  /** {@code %maskedEx}: the stack trace with every exception message masked. */
  public static final class Throwable extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return mask(super.convert(event));
    }
  }
}
