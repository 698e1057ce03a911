package io.deskgate.lifecycle;

import io.deskgate.config.Config;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.provider.DesktopProvider;
import io.deskgate.provider.LibvirtProvider;
import io.deskgate.provider.Providers;
import io.deskgate.provider.StaticProvider;
import io.deskgate.provider.XvncProvider;
import io.deskgate.store.Database;
import io.deskgate.store.Outage;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store's view of desktops true to the machines. At start: ends jobs a previous run left
 * unfinished, settles their desktops, and brings the xvnc desktops this node owns to their recorded
 * state (adopting the ones still running, starting or creating the others, removing what it runs for
 * desktops it does not own), and reads where libvirt desktops' consoles are. Then, on
 * timers: static endpoints are probed (ACTIVE / ERROR), xvnc processes supervised (a crash is ERROR,
 * then a restart per policy; a desktop moved to another owner is stopped here), libvirt domains
 * observed (a guest that shut itself down is SHUTOFF).
 * Desktops with a task in progress are left to their job.
 */
public final class Watcher {

  private static final Logger log = LoggerFactory.getLogger(Watcher.class);
  private static final int STATIC_PROBE_THREADS = 16;

  private final Vertx vertx;
  private final Database db;
  private final DesktopStore desktops;
  private final Jobs jobs;
  private final Providers providers;
  private final Lifecycle lifecycle;
  private final Config.Providers config;
  private final String node;
  /** Static desktops' probes run side by side; each ends by its own deadline (providers.static.probe_timeout_ms). */
  private final ExecutorService staticProbes = Executors.newFixedThreadPool(STATIC_PROBE_THREADS, r -> {
    Thread t = new Thread(r, "deskgate-probe");
    t.setDaemon(true);
    return t;
  });

  public Watcher(Vertx vertx, Database db, DesktopStore desktops, Jobs jobs, Providers providers, Lifecycle lifecycle,
                 Config.Providers config, String node) {
    this.vertx = vertx;
    this.db = db;
    this.desktops = desktops;
    this.jobs = jobs;
    this.providers = providers;
    this.lifecycle = lifecycle;
    this.config = config;
    this.node = node;
  }

  /** Blocks: interrupted jobs failed, their desktops settled, this node's xvnc desktops reconciled. */
  public void recoverAtStart() {
    List<String> interrupted = db.transactionNow(c -> jobs.failInterrupted(c, node));
    for (String id : interrupted) {
      db.runNow(c -> desktops.find(c, id)).ifPresent(d -> {
        if (Desktop.DELETING.equals(d.status())) {
          db.runNow(c -> desktops.setStatus(c, d.id(), Desktop.ERROR, ""));
        } else {
          lifecycle.settleObserved(d, providers.of(d));
        }
        log.info("desktop {}: its job was interrupted by a restart; settled from what its provider reports", id);
      });
    }
    reconcileXvnc();
    observeLibvirt();
  }

  /** Starts the timers. */
  public void watch() {
    every(config.staticEndpoints().probeIntervalSeconds(), StaticProvider.NAME, this::probeStatic);
    every(config.xvnc().checkIntervalSeconds(), XvncProvider.NAME, this::superviseXvnc);
    every(config.libvirt().checkIntervalSeconds(), LibvirtProvider.NAME, this::observeLibvirt);
  }

  private void every(int seconds, String what, Runnable check) {
    if (seconds <= 0) {
      return;
    }
    AtomicBoolean busy = new AtomicBoolean();
    Outage outage = new Outage(log, "checking " + what + " desktops");
    vertx.setPeriodic(TimeUnit.SECONDS.toMillis(seconds), t -> {
      if (busy.compareAndSet(false, true)) {
        vertx.executeBlocking(() -> {
          check.run();
          return null;
        }, false).onComplete(done -> {
          busy.set(false);
          if (done.failed()) {
            outage.failed(done.cause());
          } else {
            outage.succeeded();
          }
        });
      }
    });
  }

  private List<Desktop> idle(String provider) {
    return db.runNow(c -> desktops.byProvider(c, provider)).stream()
        .filter(d -> d.taskStatus().isEmpty()).collect(Collectors.toList());
  }

  private List<Desktop> mine(List<Desktop> list) {
    return list.stream().filter(d -> node.equals(d.source().ownerNode())).toList();
  }

  /** Probes every static desktop at once, each on its own deadline: a slow one delays none of the others. */
  void probeStatic() {
    DesktopProvider provider = providers.byName(StaticProvider.NAME);
    List<Desktop> due = idle(StaticProvider.NAME).stream()
        .filter(d -> Desktop.ACTIVE.equals(d.status()) || Desktop.ERROR.equals(d.status())).toList();
    List<Future<DesktopProvider.Observation>> probes = due.stream()
        .map(d -> staticProbes.submit(() -> provider.observe(d))).toList();
    for (int i = 0; i < due.size(); i++) {
      Desktop d = due.get(i);
      DesktopProvider.Observation seen;
      try {
        seen = probes.get(i).get();
      } catch (ExecutionException e) {
        log.warn("desktop {} ({}): probe failed: {}", d.id(), d.computerName(), e.getCause().toString());
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      String status = seen.power() == DesktopProvider.Power.RUNNING ? Desktop.ACTIVE : Desktop.ERROR;
      if (!status.equals(d.status())) {
        db.runNow(c -> desktops.setStatus(c, d.id(), status, ""));
        log.info("desktop {} ({}): {} -> {}: {}", d.id(), d.computerName(), d.status(), status, seen.detail());
      }
    }
  }

  void superviseXvnc() {
    XvncProvider xvnc = providers.xvnc();
    List<Desktop> all = db.runNow(c -> desktops.byProvider(c, XvncProvider.NAME));
    for (Desktop d : all) {
      if (!node.equals(d.source().ownerNode()) && xvnc.holds(d.id())) {
        xvnc.release(d.id(), "its owner is now node " + d.source().ownerNode());
      }
    }
    for (Desktop d : mine(all.stream().filter(d -> d.taskStatus().isEmpty()).toList())) {
      if (!Desktop.ACTIVE.equals(d.status()) && !Desktop.ERROR.equals(d.status())) {
        continue;
      }
      if (xvnc.observe(d).power() == DesktopProvider.Power.RUNNING) {
        continue;
      }
      if (Desktop.ACTIVE.equals(d.status())) {
        log.warn("desktop {} ({}): its Xvnc is gone", d.id(), d.computerName());
        db.runNow(c -> desktops.setStatus(c, d.id(), Desktop.ERROR, ""));
      }
      if (xvnc.restartsCrashed()) {
        startXvnc(d, "restarted after a crash");
      }
    }
  }

  void observeLibvirt() {
    DesktopProvider libvirt = providers.byName(LibvirtProvider.NAME);
    for (Desktop d : idle(LibvirtProvider.NAME)) {
      if (d.source().libvirtUri() != null && !d.source().libvirtUri().equals(config.libvirt().uri())) {
        continue;   // behind another node's libvirt connection
      }
      DesktopProvider.Observation seen = libvirt.observe(d);
      String status = Lifecycle.statusOf(seen.power());
      boolean moved = seen.machine() != null && lifecycle.consoleChanged(d, seen.machine());
      if (moved || !status.equals(d.status())) {
        lifecycle.settle(d, seen);
      }
      if (!status.equals(d.status())) {
        log.info("desktop {} ({}): {} -> {}: {}", d.id(), d.computerName(), d.status(), status, seen.detail());
      }
    }
  }

  private void reconcileXvnc() {
    XvncProvider xvnc = providers.xvnc();
    List<Desktop> mine = mine(db.runNow(c -> desktops.byProvider(c, XvncProvider.NAME)));
    Set<String> ids = mine.stream().map(Desktop::id).collect(Collectors.toSet());
    xvnc.removeOrphans(ids);
    for (Desktop d : mine) {
      if (Desktop.SHUTOFF.equals(d.status())) {
        xvnc.stop(d, true);
      } else if (!Desktop.DELETING.equals(d.status())) {
        startXvnc(d, "running again after a restart");
      }
    }
  }

  private void startXvnc(Desktop d, String why) {
    try {
      lifecycle.settleRunning(d, providers.xvnc().start(d));
      log.info("desktop {} ({}): {}", d.id(), d.computerName(), why);
    } catch (Exception e) {
      log.warn("desktop {} ({}): cannot start its Xvnc: {}", d.id(), d.computerName(), e.getMessage());
      db.runNow(c -> desktops.setStatus(c, d.id(), Desktop.ERROR, ""));
    }
  }
}
