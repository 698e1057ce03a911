package io.deskgate.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.deskgate.config.Config;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.*}: Deskgate's level, text (logback.xml) or JSON lines (logback-json.xml), and
 * whether an exception is logged with its whole stack trace or on the event's one line.
 */
public final class Logging {

  /** The logback context property {@link LogMask.Throwable} reads: "true" for whole stack traces. */
  static final String STACK_TRACES = "deskgate.stackTraces";

  private Logging() {}

  public static void apply(Config.Log log) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    if ("json".equals(log.format())) {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      context.reset();
      try {
        configurator.doConfigure(Logging.class.getClassLoader().getResource("logback-json.xml"));
      } catch (JoranException e) {
        throw new IllegalStateException("logback-json.xml does not configure logback: " + e.getMessage(), e);
      }
    }
    context.putProperty(STACK_TRACES, String.valueOf(log.stackTraces()));
    Level level = Level.toLevel(log.level(), Level.INFO);
    context.getLogger("deskgate").setLevel(level);
    context.getLogger("io.deskgate").setLevel(level);
  }
}
