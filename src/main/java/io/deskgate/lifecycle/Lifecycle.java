package io.deskgate.lifecycle;

import io.deskgate.api.ApiException;
import io.deskgate.cluster.ClusterEvents;
import io.deskgate.cluster.NodeRegistry;
import io.deskgate.config.Config;
import io.deskgate.console.ConsoleTokens;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.provider.DesktopProvider;
import io.deskgate.provider.LibvirtProvider;
import io.deskgate.provider.ProviderException;
import io.deskgate.provider.Providers;
import io.deskgate.provider.StaticProvider;
import io.deskgate.provider.XvncProvider;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.web.Metrics;
import io.deskgate.work.WorkerPool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes desktops: creates, deletes, starts, stops and reboots them through their providers, as jobs.
 * A request validates and marks the desktops ({@code task_status}) and records the job, one task per
 * desktop, in one transaction and answers at once; each task then runs on the node that owns its
 * desktop (any node for desktops no node owns), on that node's operation threads ({@link JobRunner}),
 * and records the desktop's outcome.
 * Stopping, rebooting or deleting a desktop closes its live consoles on every node (the browser is told
 * "desktop stopped") and voids its unused console tokens.
 */
public final class Lifecycle {

  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  /** A power operation of the action call. */
  public enum Operation {
    START("os-start", "powering-on", "startDesktop"),
    STOP("os-stop", "powering-off", "stopDesktop"),
    REBOOT("reboot", "rebooting", "rebootDesktop");

    final String opType;
    final String task;
    final String jobType;

    Operation(String opType, String task, String jobType) {
      this.opType = opType;
      this.task = task;
      this.jobType = jobType;
    }

    static Operation ofJobType(String jobType) {
      for (Operation o : values()) {
        if (o.jobType.equals(jobType)) {
          return o;
        }
      }
      throw new IllegalArgumentException("unknown job type " + jobType);
    }

    public static Operation of(String opType) {
      for (Operation o : values()) {
        if (o.opType.equals(opType)) {
          return o;
        }
      }
      throw ApiException.badParameter("op_type must be \"os-start\", \"os-stop\" or \"reboot\".");
    }
  }

  /** One desktop to create: its user and, optionally, its name. */
  public record NewDesktop(String userName, String computerName) {}

  /** The answer to an action call: the job (null when nothing was started) and what was refused. */
  public record ActionResult(String jobId, JsonArray failed) {}

  /** What an action call marked in its transaction. */
  private record Marked(String jobId, JsonArray failed, List<Jobs.NewTask> accepted) {}

  private final Database db;
  private final DesktopStore desktops;
  private final Jobs jobs;
  private final Providers providers;
  private final ClusterEvents events;
  private final SecretBox secrets;
  private final String node;
  /** This node's libvirt connection: libvirt desktops behind another one are not this node's to change. */
  private final String libvirtUri;
  private final JobRunner runner;
  /** The most unfinished tasks a node may have; beyond, a desktop's part of a new job fails at once. */
  private final int taskLimit;

  /**
   * {@code operations}: the bounded pool that runs providers' blocking operations (virsh, Xvnc), with
   * {@code operationThreads} threads and room for {@code operationQueueLimit} more operations waiting;
   * {@code cluster}: how long a node may go without a heartbeat, how often jobs are looked for.
   */
  public Lifecycle(Vertx vertx, WorkerPool operations, int operationThreads, int operationQueueLimit, Database db,
                   DesktopStore desktops,
                   Jobs jobs, Providers providers, ClusterEvents events, SecretBox secrets, String node,
                   Config.Cluster cluster, String libvirtUri, Metrics metrics) {
    this.libvirtUri = libvirtUri;
    this.runner = new JobRunner(vertx, db, jobs, operations, events, node, libvirtUri, operationThreads,
        cluster.jobPollSeconds(), cluster.nodeTimeoutSeconds(), metrics);
    this.taskLimit = operationThreads + operationQueueLimit;
    this.db = db;
    this.desktops = desktops;
    this.jobs = jobs;
    this.providers = providers;
    this.events = events;
    this.secrets = secrets;
    this.node = node;
  }

  public Future<String> create(String projectId, String product, List<NewDesktop> wanted) {
    DesktopProvider provider = providers.forProduct(product).orElseThrow(() ->
        ApiException.badParameter("product_id '" + product + "' is not a product of this region; products are "
            + providers.products() + "."));
    // a node-local desktop is made, and then owned, by the node that took the call; a virtual machine
    // behind the libvirt connection of the node that took the call
    String runOn = provider instanceof XvncProvider ? node : null;
    String needsLibvirt = provider instanceof LibvirtProvider ? libvirtUri : null;
    List<Jobs.NewTask> tasks = new ArrayList<>();
    for (NewDesktop d : wanted) {
      String id = UUID.randomUUID().toString();
      tasks.add(new Jobs.NewTask(id, new JsonObject().put("product", product).put("user_name", d.userName())
          .put("computer_name", d.computerName() != null ? d.computerName() : "desktop-" + id.substring(0, 8)), runOn,
          needsLibvirt));
    }
    return db.transaction(c -> jobs.create(c, projectId, "createDesktop", tasks, node, taskLimit).jobId())
        .onSuccess(jobId -> runner.announce(tasks));
  }

  public Future<ActionResult> act(String projectId, Operation op, boolean hard, List<String> desktopIds) {
    return db.transaction(c -> {
      JsonArray failed = new JsonArray();
      List<Jobs.NewTask> accepted = new ArrayList<>();
      for (String id : desktopIds) {
        Desktop d = desktops.find(c, projectId, id).orElse(null);
        ApiException refusal = refusal(d, op);
        if (refusal != null) {
          failed.add(new JsonObject().put("desktop_id", id).put("error_code", refusal.code())
              .put("error_msg", refusal.getMessage()));
        } else if (!alreadyThere(d, op)) {
          desktops.setStatus(c, id, d.status(), op.task);
          if (op != Operation.START) {
            ConsoleTokens.voidUnused(c, id);
          }
          accepted.add(new Jobs.NewTask(id, new JsonObject().put("computer_name", d.computerName()).put("hard", hard),
              d.source().ownerNode(), d.source().libvirtUri()));
        }
      }
      String jobId = null;
      if (!accepted.isEmpty()) {
        Jobs.Created job = jobs.create(c, projectId, op.jobType, accepted, node, taskLimit);
        jobId = job.jobId();
        for (String refused : job.refused()) {
          // its task was refused: the desktop is left as it was
          Desktop d = desktops.find(c, refused).orElseThrow();
          desktops.setStatus(c, refused, d.status(), "");
        }
      }
      return new Marked(jobId, failed, accepted);
    }).map(result -> {
      if (result.jobId() != null) {
        if (op != Operation.START) {
          result.accepted().forEach(t -> events.publish(ClusterEvents.Kind.CLOSE_DESKTOP, t.desktopId()));
        }
        runner.announce(result.accepted());
      }
      return new ActionResult(result.jobId(), result.failed());
    });
  }

  public Future<String> delete(String projectId, String desktopId) {
    return db.transaction(c -> {
      Desktop d = desktops.find(c, projectId, desktopId).orElseThrow(ApiException::desktopNotFound);
      if (!d.taskStatus().isEmpty() && !d.taskStatus().equals("deleting")) {
        throw ApiException.desktopConflict(d.stateForConflict(), "delete", d.id());
      }
      desktops.setStatus(c, desktopId, Desktop.DELETING, "deleting");
      ConsoleTokens.voidUnused(c, desktopId);
      List<Jobs.NewTask> task = List.of(new Jobs.NewTask(desktopId,
          new JsonObject().put("computer_name", d.computerName()), d.source().ownerNode(), d.source().libvirtUri()));
      Jobs.Created job = jobs.create(c, projectId, "deleteDesktop", task, node, taskLimit);
      if (!job.refused().isEmpty()) {
        desktops.setStatus(c, desktopId, d.status(), "");
      }
      return new Marked(job.jobId(), new JsonArray(), task);
    }).map(marked -> {
      events.publish(ClusterEvents.Kind.CLOSE_DESKTOP, desktopId);
      runner.announce(marked.accepted());
      return marked.jobId();
    });
  }

  /**
   * Gives a node-local desktop another owner node (the old one is gone, or is to be emptied): the desktop
   * is then {@code SHUTOFF} until started on its new owner, and the old owner, if it runs, stops its copy.
   */
  public Future<Desktop> moveOwner(String projectId, String desktopId, String newOwner) {
    return db.transaction(c -> {
      Desktop d = desktops.find(c, projectId, desktopId).orElseThrow(ApiException::desktopNotFound);
      if (!(providers.of(d) instanceof XvncProvider)) {
        throw ApiException.badParameter("Only desktops of the xvnc provider have an owner node; desktop " + d.id()
            + " is of provider " + d.source().provider() + ".");
      }
      if (!d.taskStatus().isEmpty()) {
        throw ApiException.desktopConflict(d.stateForConflict(), "setOwner", d.id());
      }
      if (!NodeRegistry.isUp(c, newOwner)) {
        throw ApiException.badParameter("Node " + newOwner + " is not up; GET /v2/{project_id}/deskgate/nodes lists "
            + "the nodes.");
      }
      if (newOwner.equals(d.source().ownerNode())) {
        return d;
      }
      desktops.setOwner(c, d.id(), newOwner);
      desktops.setStatus(c, d.id(), Desktop.SHUTOFF, "");
      return desktops.find(c, d.id()).orElseThrow();
    });
  }

  /** Why {@code op} cannot run on the desktop (its code and message), or null when it can. */
  private ApiException refusal(Desktop d, Operation op) {
    if (d == null) {
      return ApiException.desktopNotFound();
    }
    if (!d.taskStatus().isEmpty() || Desktop.DELETING.equals(d.status())) {
      return ApiException.desktopConflict(d.stateForConflict(), op.opType, d.id());
    }
    if (providers.of(d) instanceof StaticProvider) {
      ProviderException unsupported = ProviderException.notSupported(StaticProvider.NAME, op.opType);
      return new ApiException(501, unsupported.code(), unsupported.getMessage());
    }
    return null;
  }

  private static boolean alreadyThere(Desktop d, Operation op) {
    return (op == Operation.START && Desktop.ACTIVE.equals(d.status()))
        || (op == Operation.STOP && Desktop.SHUTOFF.equals(d.status()));
  }

  /** Starts running the jobs meant for this node. */
  public void startJobs() {
    runner.start(this::runTask, this::abandoned);
  }

  public void stopJobs() {
    runner.stop();
  }

  /** Blocks: does a task's work on its desktop; throws to fail it. */
  private void runTask(Jobs.Task task) throws Exception {
    JsonObject p = task.params();
    switch (task.type()) {
      case "createDesktop" -> {
        String product = p.getString("product");
        DesktopProvider provider = providers.forProduct(product).orElseThrow(() -> new ProviderException(
            "product " + product + " is not a product of this node"));
        createNow(provider, task.projectId(), product, task.desktopId(), p.getString("computer_name"),
            p.getString("user_name", ""), Map.of());
      }
      case "deleteDesktop" -> deleteOne(task.desktopId());
      default -> powerOne(Operation.ofJobType(task.type()), task.desktopId(), p.getBoolean("hard", false));
    }
  }

  /** A task of the desktop was failed because its node is gone: the desktop leaves its task. */
  private void abandoned(Jobs.Abandoned task) {
    Desktop d = db.runNow(c -> desktops.find(c, task.desktopId())).orElse(null);
    if (d == null) {
      return;
    }
    if (Desktop.DELETING.equals(d.status()) || task.started() && d.source().ownerNode() != null) {
      // what a node-local desktop's node left half done cannot be seen from here
      db.runNow(c -> desktops.setStatus(c, d.id(), Desktop.ERROR, ""));
    } else if (d.source().ownerNode() != null) {
      db.runNow(c -> desktops.setStatus(c, d.id(), d.status(), ""));
    } else {
      settleObserved(d, providers.of(d));
    }
  }

  /**
   * Blocks: creates the machine and records the desktop, running, its VNC password sealed. When the
   * desktop cannot be recorded, the machine is removed again.
   */
  public void createNow(DesktopProvider provider, String projectId, String product, String id, String computerName,
                        String userName, Map<String, String> metadata) throws ProviderException {
    DesktopProvider.Machine machine = provider.create(id, product, computerName);
    String sealed = machine.vncPassword() == null ? null : secrets.seal(machine.vncPassword(), Desktop.passwordSealContext(id));
    Desktop desktop = Desktop.registered(projectId, id, computerName, userName, List.of(machine.host()),
        metadata, endpoint(machine, sealed),
        new Desktop.Source(provider.name(), product, machine.ref(), provider instanceof XvncProvider ? node : null,
            provider instanceof LibvirtProvider ? libvirtUri : null));
    try {
      db.runNow(c -> {
        desktops.upsert(c, desktop);
        return null;
      });
    } catch (RuntimeException e) {
      provider.delete(desktop);
      throw e;
    }
  }

  private void powerOne(Operation op, String desktopId, boolean hard) throws Exception {
    Desktop d = db.runNow(c -> desktops.find(c, desktopId)).orElseThrow(() -> new ProviderException(
        "the desktop no longer exists"));
    DesktopProvider provider = providers.of(d);
    try {
      switch (op) {
        case STOP -> {
          provider.stop(d, hard);
          db.runNow(c -> desktops.setStatus(c, d.id(), Desktop.SHUTOFF, ""));
        }
        case START -> settleRunning(d, provider.start(d));
        case REBOOT -> settleRunning(d, provider.reboot(d, hard));
        default -> throw new IllegalStateException(op.name());
      }
    } catch (ProviderException | RuntimeException e) {
      settleObserved(d, provider);
      throw e;
    }
  }

  private void deleteOne(String desktopId) throws Exception {
    Desktop d = db.runNow(c -> desktops.find(c, desktopId)).orElse(null);
    if (d == null) {
      return;
    }
    try {
      providers.of(d).delete(d);
    } catch (ProviderException | RuntimeException e) {
      db.runNow(c -> desktops.setStatus(c, d.id(), Desktop.ERROR, ""));
      throw e;
    }
    db.runNow(c -> desktops.delete(c, d.id()));
  }

  /** The desktop runs: record where its console listens now, ACTIVE, no task. */
  public void settleRunning(Desktop d, DesktopProvider.Machine machine) {
    settle(d, new DesktopProvider.Observation(DesktopProvider.Power.RUNNING, machine, "started"));
  }

  /** After a failed operation: the status the provider observes, no task. */
  void settleObserved(Desktop d, DesktopProvider provider) {
    settle(d, provider.observe(d));
  }

  /** Records what was observed: where the console listens when the machine runs, its status, no task. */
  void settle(Desktop d, DesktopProvider.Observation seen) {
    db.runNow(c -> {
      if (seen.machine() != null) {
        updateEndpoint(c, d, seen.machine());
      }
      return desktops.setStatus(c, d.id(), statusOf(seen.power()), "");
    });
  }

  static String statusOf(DesktopProvider.Power power) {
    return switch (power) {
      case RUNNING -> Desktop.ACTIVE;
      case STOPPED -> Desktop.SHUTOFF;
      default -> Desktop.ERROR;
    };
  }

  /** The console endpoint of a machine a provider just made: VeNCrypt when the provider set TLS up. */
  private static Desktop.ConsoleEndpoint endpoint(DesktopProvider.Machine machine, String sealedPassword) {
    Desktop.ConsoleEndpoint e = new Desktop.ConsoleEndpoint(machine.host(), machine.port(), sealedPassword);
    return machine.tls() == null ? e : e.withTls(machine.tls());
  }

  /**
   * Whether the machine's VNC server listens elsewhere, with other TLS or with another password (a
   * libvirt domain's, read from its XML) than the desktop's recorded console.
   */
  boolean consoleChanged(Desktop d, DesktopProvider.Machine machine) {
    return !machine.host().equals(d.console().host()) || machine.port() != d.console().port()
        || machine.tls() != null && !machine.tls().equals(d.console().tls()) || passwordChanged(d, machine);
  }

  private boolean passwordChanged(Desktop d, DesktopProvider.Machine machine) {
    if (machine.vncPassword() == null) {
      return false;
    }
    String sealed = d.console().passwordSealed();
    return sealed == null || !machine.vncPassword().equals(secrets.open(sealed, Desktop.passwordSealContext(d.id())));
  }

  private void updateEndpoint(Connection c, Desktop d, DesktopProvider.Machine machine) throws SQLException {
    boolean newPassword = passwordChanged(d, machine);
    Desktop.ConsoleEndpoint e = d.console().movedTo(machine.host(), machine.port());
    if (newPassword) {
      e = e.withPassword(secrets.seal(machine.vncPassword(), Desktop.passwordSealContext(d.id())));
    }
    if (machine.tls() != null) {
      e = e.withTls(machine.tls());
    }
    if (!e.equals(d.console())) {
      desktops.setConsole(c, d.id(), e);
    }
  }

}
