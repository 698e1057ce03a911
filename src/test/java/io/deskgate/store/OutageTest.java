package io.deskgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A recurring failure is told once when it starts and once when it ends, with how long it lasted. */
class OutageTest {

  @Test
  void oneWarnPerOutageAndAnInfoOnRecovery() {
    Logger logger = new LoggerContext().getLogger("t");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    AtomicLong now = new AtomicLong(1_000_000);
    Outage outage = new Outage(logger, "looking for jobs to run", now::get);

    outage.succeeded();
    assertThat(lines.list).isEmpty();
    for (int i = 0; i < 30; i++) {
      outage.failed(new SQLException("Connection refused"));
      now.addAndGet(1000);
    }
    assertThat(outage.failing()).isTrue();
    outage.succeeded();
    outage.succeeded();
    assertThat(lines.list).extracting(e -> e.getLevel() + " " + e.getFormattedMessage()).containsExactly(
        "WARN looking for jobs to run fails: Connection refused; said once until it works again",
        "INFO looking for jobs to run works again after 30 s (30 failed attempts)");
    assertThat(outage.failing()).isFalse();

    outage.failed(new SQLException("again"));
    assertThat(lines.list).hasSize(3);
  }
}
