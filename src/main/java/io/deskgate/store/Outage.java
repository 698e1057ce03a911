package io.deskgate.store;

import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A recurring task that fails while something it needs (the store, mostly) is away, told of once: a WARN
 * at its first failure, nothing while it keeps failing, and an INFO with how long it lasted when the task
 * works again. Thread-safe.
 */
public final class Outage {

  private final Logger log;
  private final String what;
  private final LongSupplier clock;
  private long since = -1;
  private long failures;

  /** {@code what}: the task, as the log lines name it ("looking for jobs to run"). */
  public Outage(Logger log, String what) {
    this(log, what, System::currentTimeMillis);
  }

  Outage(Logger log, String what, LongSupplier clock) {
    this.log = log;
    this.what = what;
    this.clock = clock;
  }

  public synchronized void failed(Throwable cause) {
    failures++;
    if (since < 0) {
      since = clock.getAsLong();
      log.warn("{} fails: {}; said once until it works again", what, cause.getMessage());
    }
  }

  public synchronized void succeeded() {
    if (since >= 0) {
      log.info("{} works again after {} s ({} failed attempts)", what, (clock.getAsLong() - since + 500) / 1000,
          failures);
      since = -1;
      failures = 0;
    }
  }

  /** Whether the task is failing now. */
  public synchronized boolean failing() {
    return since >= 0;
  }
}
