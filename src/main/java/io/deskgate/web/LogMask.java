package io.deskgate.web;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.CoreConstants;
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

  /**
   * {@code %maskedEx}: an exception on the event's own line ({@code  ! Type: message <- Cause: message (at
   * frame)}), or, with {@code log.stack_traces: true}, its whole stack trace on the lines after; every
   * exception message masked. Empty for an event without one.
   */
  public static final class Throwable extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown == null) {
        return "";
      }
      if ("true".equals(getContext() == null ? null : getContext().getProperty(Logging.STACK_TRACES))) {
        String trace = super.convert(event);
        return CoreConstants.LINE_SEPARATOR + mask(trace.endsWith(CoreConstants.LINE_SEPARATOR)
            ? trace.substring(0, trace.length() - CoreConstants.LINE_SEPARATOR.length()) : trace);
      }
      return mask(oneLine(thrown));
    }
  }

  /** An exception and its causes on one line, with where the first was thrown. */
  static String oneLine(IThrowableProxy thrown) {
    StringBuilder sb = new StringBuilder(" ! ");
    IThrowableProxy t = thrown;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (depth > 0) {
        sb.append(" <- ");
      }
      sb.append(t.getClassName());
      if (t.getMessage() != null) {
        sb.append(": ").append(t.getMessage().replace('\n', ' ').replace('\r', ' '));
      }
    }
    StackTraceElementProxy[] frames = thrown.getStackTraceElementProxyArray();
    if (frames != null && frames.length > 0) {
      sb.append(" (at ").append(frames[0].getStackTraceElement()).append(')');
    }
    return sb.toString();
  }
}
