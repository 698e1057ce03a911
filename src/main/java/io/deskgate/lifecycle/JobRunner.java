package io.deskgate.lifecycle;

import io.deskgate.cluster.ClusterEvents;
import io.deskgate.store.Database;
import io.deskgate.store.Outage;
import io.deskgate.work.WorkerPool;
import io.deskgate.web.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job tasks meant for this node: claims them from the store when told that some wait for it
 * ({@link ClusterEvents.Kind#JOB_READY}, a PostgreSQL notification) and every
 * {@code cluster.job_poll_seconds} in case a notification was lost, no more at once than its
 * operation threads can take; runs each on the operation pool; records the outcome. At each poll it
 * also fails the tasks whose node is gone ({@link Jobs#failOrphaned}) and hands their desktops back.
 */
final class JobRunner {

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private static final String ANY_NODE = "*";

  /** What a task does; throws to fail it with the exception's message. */
  interface Work {
    void run(Jobs.Task task) throws Exception;
  }

  /** What a task failed without its node leaves to be done on its desktop. */
  interface Abandon {
    void abandoned(Jobs.Abandoned task);
  }

  private final Vertx vertx;
  private final Database db;
  private final Jobs jobs;
  private final WorkerPool operations;
  private final ClusterEvents events;
  private final String node;
  private final String libvirtUri;
  private final int capacity;
  private final long pollMs;
  private final Outage claimOutage = new Outage(log, "looking for jobs to run");
  private final Metrics metrics;
  private final long nodeTimeoutMs;
  private Work work;
  private Abandon abandon;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicBoolean claiming = new AtomicBoolean();
  /** Set when a wake-up came while a claim ran: claim once more after it. */
  private final AtomicBoolean again = new AtomicBoolean();
  private volatile boolean stopped;
  private long poller = -1;

  JobRunner(Vertx vertx, Database db, Jobs jobs, WorkerPool operations, ClusterEvents events, String node,
            String libvirtUri, int capacity, int pollSeconds, int nodeTimeoutSeconds, Metrics metrics) {
    this.metrics = metrics;
    this.libvirtUri = libvirtUri;
    this.vertx = vertx;
    this.db = db;
    this.jobs = jobs;
    this.operations = operations;
    this.events = events;
    this.node = node;
    this.capacity = capacity;
    this.pollMs = TimeUnit.SECONDS.toMillis(pollSeconds);
    this.nodeTimeoutMs = TimeUnit.SECONDS.toMillis(nodeTimeoutSeconds);
  }

  /** Starts listening and polling. */
  void start(Work work, Abandon abandon) {
    this.work = work;
    this.abandon = abandon;
    events.on(ClusterEvents.Kind.JOB_READY, target -> {
      if (node.equals(target) || ANY_NODE.equals(target)) {
        wake();
      }
    });
    poller = vertx.setPeriodic(pollMs, t -> {
      wake();
      sweep();
    });
    wake();
  }

  void stop() {
    stopped = true;
    if (poller != -1) {
      vertx.cancelTimer(poller);
    }
  }

  /** Tells the nodes that these tasks wait for them (for any node when a task names none). */
  void announce(Collection<Jobs.NewTask> tasks) {
    Set<String> targets = new HashSet<>();
    tasks.forEach(t -> targets.add(t.runOn() == null ? ANY_NODE : t.runOn()));
    targets.forEach(target -> events.publish(ClusterEvents.Kind.JOB_READY, target));
  }

  /** Claims what waits for this node, as much as it has room for. */
  void wake() {
    if (stopped) {
      return;
    }
    if (!claiming.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    again.set(false);
    int room = capacity - running.get();
    Future<List<Jobs.Task>> claimed = room <= 0 ? Future.succeededFuture(List.of())
        : db.transaction(c -> jobs.claim(c, node, libvirtUri, room));
    claimed.onComplete(done -> {
      claiming.set(false);
      if (done.failed()) {
        claimOutage.failed(done.cause());
        return;
      }
      claimOutage.succeeded();
      done.result().forEach(this::run);
      if (again.get() || done.result().size() == room && room > 0) {
        wake();
      }
    });
  }

  private void run(Jobs.Task task) {
    running.incrementAndGet();
    log.info("job {}: {} of desktop {} runs on this node", task.jobId(), task.type(), task.desktopId());
    operations.<String>submit(() -> {
      try {
        work.run(task);
        return null;
      } catch (Exception failure) {
        log.warn("job {}: {} failed: {}", task.jobId(), task.desktopId(), failure.getMessage());
        return failure.getMessage() == null ? failure.toString() : failure.getMessage();
      }
    }).recover(refused -> Future.succeededFuture(refused.getMessage()))
        .compose(failReason -> {
          metrics.jobTask(task.type(), failReason == null ? "succeeded" : "failed");
          return db.transaction(c -> jobs.finishTask(c, task.jobId(), task.seq(), failReason));
        })
        .onComplete(done -> {
          running.decrementAndGet();
          if (done.failed()) {
            log.error("job {}: the outcome for {} could not be recorded: {}", task.jobId(), task.desktopId(),
                done.cause().getMessage());
          } else if (!done.result()) {
            log.warn("job {}: {} had already been failed while this node was counted lost", task.jobId(),
                task.desktopId());
          }
          wake();
        });
  }

  /** Fails the tasks no node will run, and hands their desktops back. */
  private void sweep() {
    if (stopped) {
      return;
    }
    db.transaction(c -> jobs.failOrphaned(c, System.currentTimeMillis(), nodeTimeoutMs)).onSuccess(failed -> {
      for (Jobs.Abandoned a : failed) {
        log.warn("job task for desktop {} failed: {}", a.desktopId(), a.reason());
        metrics.jobTask(a.operation(), "abandoned");
        operations.submit(() -> {
          abandon.abandoned(a);
          return null;
        });
      }
    }).onFailure(e -> log.warn("cannot look for jobs without a node: {}", e.getMessage()));
  }
}
