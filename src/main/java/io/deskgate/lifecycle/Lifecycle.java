package io.deskgate.lifecycle;

import io.deskgate.api.ApiException;
import io.deskgate.cluster.ClusterEvents;
import io.deskgate.console.ConsoleTokens;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.provider.DesktopProvider;
import io.deskgate.provider.ProviderException;
import io.deskgate.provider.Providers;
import io.deskgate.provider.StaticProvider;
import io.deskgate.provider.XvncProvider;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.work.WorkerPool;
import io.vertx.core.Future;
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
 * A request validates and marks the desktops ({@code task_status}) in one transaction and answers at
 * once; the job then runs on worker threads, one desktop each, and records every desktop's outcome.
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
  private record Marked(String jobId, JsonArray failed, JsonArray accepted) {}

  private final WorkerPool operations;
  private final Database db;
  private final DesktopStore desktops;
  private final Jobs jobs;
  private final Providers providers;
  private final ClusterEvents events;
  private final SecretBox secrets;
  private final String node;

  /** {@code operations}: the bounded pool that runs providers' blocking operations (virsh, Xvnc). */
  public Lifecycle(WorkerPool operations, Database db, DesktopStore desktops, Jobs jobs, Providers providers,
                   ClusterEvents events, SecretBox secrets, String node) {
    this.operations = operations;
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
    JsonArray entities = new JsonArray();
    for (NewDesktop d : wanted) {
      String id = UUID.randomUUID().toString();
      entities.add(new JsonObject().put("desktop_id", id).put("user_name", d.userName())
          .put("computer_name", d.computerName() != null ? d.computerName() : "desktop-" + id.substring(0, 8)));
    }
    return db.run(c -> jobs.create(c, projectId, "createDesktop", entities, node)).onSuccess(jobId ->
        run(jobId, entities, entity -> createOne(provider, projectId, product, entity)));
  }

  public Future<ActionResult> act(String projectId, Operation op, boolean hard, List<String> desktopIds) {
    return db.transaction(c -> {
      JsonArray failed = new JsonArray();
      JsonArray accepted = new JsonArray();
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
          accepted.add(new JsonObject().put("desktop_id", id).put("hard", hard));
        }
      }
      String jobId = accepted.isEmpty() ? null : jobs.create(c, projectId, op.jobType, accepted, node);
      return new Marked(jobId, failed, accepted);
    }).map(result -> {
      if (result.jobId() != null) {
        JsonArray accepted = result.accepted();
        if (op != Operation.START) {
          accepted.forEach(e -> events.publish(ClusterEvents.Kind.CLOSE_DESKTOP, ((JsonObject) e).getString("desktop_id")));
        }
        run(result.jobId(), accepted, entity -> powerOne(op, entity));
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
      return jobs.create(c, projectId, "deleteDesktop", new JsonArray().add(new JsonObject().put("desktop_id", desktopId)),
          node);
    }).onSuccess(jobId -> {
      events.publish(ClusterEvents.Kind.CLOSE_DESKTOP, desktopId);
      run(jobId, new JsonArray().add(new JsonObject().put("desktop_id", desktopId)), this::deleteOne);
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

  /** Work on one desktop of a job; throws to mark that desktop failed. */
  @FunctionalInterface
  private interface EntityWork {
    void run(JsonObject entity) throws Exception;
  }

  private void run(String jobId, JsonArray entities, EntityWork work) {
    db.run(c -> {
      jobs.running(c, jobId);
      return null;
    }).compose(v -> {
      List<Future<Void>> each = new ArrayList<>();
      for (Object e : entities) {
        JsonObject entity = (JsonObject) e;
        each.add(operations.<Void>submit(() -> {
          try {
            work.run(entity);
            entity.put("status", Jobs.SUCCESS);
          } catch (Exception failure) {
            entity.put("status", Jobs.FAILED).put("fail_reason", failure instanceof ProviderException
                ? failure.getMessage() : failure.toString());
            log.warn("job {}: {} failed: {}", jobId, entity.getString("desktop_id"), failure.getMessage());
          }
          return null;
        }).recover(refused -> {
          // the operation queue is full: this desktop's part fails now rather than waiting in a growing line
          entity.put("status", Jobs.FAILED).put("fail_reason", refused.getMessage());
          log.warn("job {}: {} refused: {}", jobId, entity.getString("desktop_id"), refused.getMessage());
          return Future.succeededFuture();
        }));
      }
      return Future.join(each);
    }).compose(done -> db.run(c -> {
      jobs.finish(c, jobId, entities);
      return null;
    })).onSuccess(v -> log.info("job {} finished", jobId))
        .onFailure(e -> log.error("job {} could not be recorded: {}", jobId, e.getMessage()));
  }

  private void createOne(DesktopProvider provider, String projectId, String product, JsonObject entity)
      throws ProviderException {
    createNow(provider, projectId, product, entity.getString("desktop_id"), entity.getString("computer_name"),
        entity.getString("user_name", ""), Map.of());
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
        new Desktop.Source(provider.name(), product, machine.ref(), provider instanceof XvncProvider ? node : null));
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

  private void powerOne(Operation op, JsonObject entity) throws Exception {
    Desktop d = db.runNow(c -> desktops.find(c, entity.getString("desktop_id"))).orElseThrow();
    DesktopProvider provider = providers.of(d);
    boolean hard = entity.getBoolean("hard", false);
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

  private void deleteOne(JsonObject entity) throws Exception {
    Desktop d = db.runNow(c -> desktops.find(c, entity.getString("desktop_id"))).orElse(null);
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
