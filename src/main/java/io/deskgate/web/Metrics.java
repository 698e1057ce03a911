package io.deskgate.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What operators watch, exposed at {@code GET /metrics} in Prometheus text format: HTTP requests by
 * route and status, console sessions (live, opened, refused by reason), bytes relayed each way,
 * console tokens issued and redeemed, and the JVM.
 */
public final class Metrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter bytesToDesktop;
  private final Counter bytesToBrowser;
  private final Counter tokensIssued;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    bytesToDesktop = Counter.builder("deskgate.console.bytes").tag("direction", "to_desktop")
        .description("Bytes relayed from browsers to desktops").register(registry);
    bytesToBrowser = Counter.builder("deskgate.console.bytes").tag("direction", "to_browser")
        .description("Bytes relayed from desktops to browsers").register(registry);
    tokensIssued = Counter.builder("deskgate.console.tokens.issued")
        .description("Console URLs handed out").register(registry);
  }

  /** Buckets of the HTTP histogram: few, so that route x status series stay affordable. */
  private static final Duration[] HTTP_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  public void httpRequest(String method, String route, int status, long micros) {
    Timer.builder("deskgate.http.requests").tag("method", method).tag("route", route)
        .tag("status", String.valueOf(status)).serviceLevelObjectives(HTTP_BUCKETS).register(registry)
        .record(micros, TimeUnit.MICROSECONDS);
  }

  /** A call refused for its credentials (401, or 403 for a project the caller has no role in), by why. */
  public void authenticationFailed(String reason) {
    registry.counter("deskgate.auth.failures", "reason", reason).increment();
  }

  /** An access key locked after repeated signature failures. */
  public void accessKeyLocked() {
    registry.counter("deskgate.auth.access.key.lockouts").increment();
  }

  /** A request answered 429 by one of the throttles (API calls, logins, console links). */
  public void throttled() {
    registry.counter("deskgate.http.throttled").increment();
  }

  /** 1 while the store answers, 0 while it does not. */
  public void storeUp(java.util.function.BooleanSupplier up) {
    Gauge.builder("deskgate.store.up", () -> up.getAsBoolean() ? 1 : 0)
        .description("Whether the store answered its last check").register(registry);
  }

  /** One desktop's part of a job ended on this node: {@code result} succeeded, failed or abandoned. */
  public void jobTask(String operation, String result) {
    registry.counter("deskgate.job.tasks", "operation", operation, "result", result).increment();
  }

  private final MultiGauge desktops = MultiGauge.builder("deskgate.desktops")
      .description("Desktops of the region by status and provider, as last counted").register(registry);

  /** The region's desktops counted by status and provider: {@code [status, provider, count]} rows. */
  public void desktops(java.util.List<Object[]> counts) {
    desktops.register(counts.stream().map(row -> MultiGauge.Row.of(
        Tags.of("status", String.valueOf(row[0]), "provider", String.valueOf(row[1])), (Number) row[2])).toList(), true);
  }

  /** The store's connection pool (HikariCP's own meters: active, idle, pending, timeouts, ...). */
  public void pool(io.deskgate.store.Database db) {
    db.meters(registry);
  }

  /** A request answered before the router: malformed, oversize, too slow (see {@link HttpFront}). */
  public void refusedAtTheEdge(int status) {
    registry.counter("deskgate.http.refused", "status", String.valueOf(status)).increment();
  }

  public void liveSessions(Supplier<Number> count) {
    Gauge.builder("deskgate.console.sessions.live", count).description("Console sessions open now")
        .register(registry);
  }

  /**
   * What the console recorder reports: recordings started and live, bytes written to their files, failures
   * by reason.
   */
  public io.deskgate.recording.Recorder.Stats recordings() {
    java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
    Gauge.builder("deskgate.recordings.live", live::get).description("Console recordings being written now")
        .register(registry);
    Counter written = Counter.builder("deskgate.recordings.bytes").description("Bytes written to recording files")
        .register(registry);
    Counter started = Counter.builder("deskgate.recordings.started").description("Console recordings started")
        .register(registry);
    return new io.deskgate.recording.Recorder.Stats() {
      @Override
      public void started() {
        started.increment();
        live.incrementAndGet();
      }

      @Override
      public void ended() {
        live.decrementAndGet();
      }

      @Override
      public void written(long bytes) {
        written.increment(bytes);
      }

      @Override
      public void failed(String reason) {
        registry.counter("deskgate.recordings.failed", "reason", reason).increment();
      }
    };
  }

  public void sessionOpened() {
    registry.counter("deskgate.console.sessions.opened").increment();
  }

  public void sessionRefused(String reason) {
    registry.counter("deskgate.console.sessions.refused", "reason", reason).increment();
  }

  public void sessionClosed(String reason) {
    registry.counter("deskgate.console.sessions.closed", "reason", reason).increment();
  }

  public void relayedToDesktop(long bytes) {
    bytesToDesktop.increment(bytes);
  }

  public void relayedToBrowser(long bytes) {
    bytesToBrowser.increment(bytes);
  }

  /**
   * How long one step of opening a console took ({@code redeem}, {@code connect},
   * {@code desktop_handshake}, {@code upgrade}, {@code browser_handshake}; {@code total} from the
   * request to the relay), as a histogram so percentiles can be taken across nodes.
   */
  public void consoleOpenStep(String step, long nanos) {
    Timer.builder("deskgate.console.open").tag("step", step)
        .description("Steps of opening a console, each from the end of the one before")
        .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void tokenIssued() {
    tokensIssued.increment();
  }

  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
