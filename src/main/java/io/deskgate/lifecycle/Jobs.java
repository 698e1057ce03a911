package io.deskgate.lifecycle;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.cluster.NodeRegistry;
import io.deskgate.store.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Workspace jobs in the store: one per create, delete or power action, with one task per desktop.
 * A task names the node that must run it ({@code run_on}: the desktop's owner; null when any node may)
 * and is claimed by that node with {@code SELECT ... FOR UPDATE SKIP LOCKED}, so each runs once on one
 * node whichever node took the call. {@code WAITING} -> {@code RUNNING} -> {@code SUCCESS} |
 * {@code FAILED}; the job is {@code RUNNING} from its first claim and ends with its last task, its
 * {@code entities} then holding every desktop's outcome.
 */
public final class Jobs {

  public static final String WAITING = "WAITING";
  public static final String RUNNING = "RUNNING";
  public static final String SUCCESS = "SUCCESS";
  public static final String FAILED = "FAILED";

  /** A job and the outcome per desktop ({@code entities}: desktop_id, computer_name, status, fail_reason). */
  public record Job(String id, String projectId, String type, String status, String failReason, JsonArray entities,
                    long createdAt, Long beginTime, Long endTime) {}

  /**
   * A desktop's part of a job to come: {@code params} for the work, {@code runOn} the node that must run
   * it (null: any), {@code needsLibvirt} the libvirt connection the node that runs it must have (null: none).
   */
  public record NewTask(String desktopId, JsonObject params, String runOn, String needsLibvirt) {}

  /** A recorded job, and the desktops whose tasks failed at once because their node had too many. */
  public record Created(String jobId, List<String> refused) {}

  /** A claimed task. */
  public record Task(String jobId, int seq, String type, String projectId, String desktopId, JsonObject params) {}

  /** A task failed without its node: the desktop it was for, why, and whether it had started there. */
  public record Abandoned(String desktopId, String operation, String reason, boolean started) {}

  private static final String COLUMNS =
      "SELECT id, project_id, job_type, status, fail_reason, entities, created_at, begin_time, end_time FROM jobs ";

  /**
   * Records a job of one task per desktop; {@code node}: the node that took the call. A task that would
   * give the node that is to run it more than {@code limit} unfinished tasks fails at once.
   */
  public Created create(Connection c, String projectId, String type, List<NewTask> tasks, String node, int limit)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    JsonArray entities = new JsonArray();
    for (NewTask t : tasks) {
      entities.add(new JsonObject().put("desktop_id", t.desktopId())
          .put("computer_name", t.params().getString("computer_name")));
    }
    update(c, "INSERT INTO jobs (id, project_id, job_type, status, entities, owner_node, created_at) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?)", id, projectId, type, WAITING, entities.encode(), node, now);
    int seq = 0;
    List<String> refused = new ArrayList<>();
    for (NewTask t : tasks) {
      long unfinished = one(c, "SELECT COUNT(*) FROM job_tasks WHERE status IN (?, ?) AND "
          + (t.runOn() == null ? "run_on IS NULL" : "run_on = ?"), rs -> rs.getLong(1),
          t.runOn() == null ? new Object[] {WAITING, RUNNING} : new Object[] {WAITING, RUNNING, t.runOn()}).orElse(0L);
      boolean full = unfinished >= limit;
      if (full) {
        refused.add(t.desktopId());
      }
      update(c, "INSERT INTO job_tasks (job_id, seq, job_type, project_id, desktop_id, params, run_on, needs_libvirt, "
          + "status, fail_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, ++seq, type, projectId,
          t.desktopId(), t.params().encode(), t.runOn(), t.needsLibvirt(), full ? FAILED : WAITING, full ? "too many desktop operations in progress on "
              + (t.runOn() == null ? "the region" : "node " + t.runOn()) + "; retry later" : null, now);
    }
    if (!refused.isEmpty()) {
      finishIfDone(c, id);
    }
    return new Created(id, refused);
  }

  /**
   * Claims up to {@code limit} waiting tasks this node (with this libvirt connection) may run, oldest
   * first, skipping ones others hold.
   */
  public List<Task> claim(Connection c, String node, String libvirtUri, int limit) throws SQLException {
    List<Task> tasks = Sql.list(c, "SELECT job_id, seq, job_type, project_id, desktop_id, params FROM job_tasks "
            + "WHERE status = ? AND (run_on = ? OR run_on IS NULL) AND (needs_libvirt IS NULL OR needs_libvirt = ?) "
            + "ORDER BY created_at, job_id, seq LIMIT ? FOR UPDATE SKIP LOCKED",
        rs -> new Task(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
            new JsonObject(rs.getString(6))), WAITING, node, libvirtUri, limit);
    long now = System.currentTimeMillis();
    for (Task t : tasks) {
      update(c, "UPDATE job_tasks SET status = ?, claimed_by = ? WHERE job_id = ? AND seq = ?", RUNNING, node,
          t.jobId(), t.seq());
      update(c, "UPDATE jobs SET status = ?, begin_time = ? WHERE id = ? AND status = ?", RUNNING, now, t.jobId(),
          WAITING);
    }
    return tasks;
  }

  /**
   * Records a task's outcome ({@code failReason} null: success) and, when it was the job's last, ends the
   * job. False when the task was no longer running (failed meanwhile because its node was counted lost).
   */
  public boolean finishTask(Connection c, String jobId, int seq, String failReason) throws SQLException {
    lockJob(c, jobId);
    int updated = update(c, "UPDATE job_tasks SET status = ?, fail_reason = ? WHERE job_id = ? AND seq = ? "
        + "AND status = ?", failReason == null ? SUCCESS : FAILED, truncate(failReason), jobId, seq, RUNNING);
    if (updated == 1) {
      finishIfDone(c, jobId);
    }
    return updated == 1;
  }

  private static void lockJob(Connection c, String jobId) throws SQLException {
    // finishers of one job's tasks, on any nodes, take turns: the last one sees every other outcome
    one(c, "SELECT id FROM jobs WHERE id = ? FOR UPDATE", rs -> rs.getString(1), jobId);
  }

  /** Ends the job when no task of it is left unfinished: SUCCESS when every task succeeded, else FAILED. */
  private static void finishIfDone(Connection c, String jobId) throws SQLException {
    record Outcome(String desktopId, String computerName, String status, String failReason) {}
    List<Outcome> outcomes = Sql.list(c, "SELECT desktop_id, params, status, fail_reason FROM job_tasks "
        + "WHERE job_id = ? ORDER BY seq", rs -> new Outcome(rs.getString(1),
        new JsonObject(rs.getString(2)).getString("computer_name"), rs.getString(3), rs.getString(4)), jobId);
    if (outcomes.stream().anyMatch(o -> WAITING.equals(o.status()) || RUNNING.equals(o.status()))) {
      return;
    }
    JsonArray entities = new JsonArray();
    StringBuilder reasons = new StringBuilder();
    for (Outcome o : outcomes) {
      entities.add(new JsonObject().put("desktop_id", o.desktopId()).put("computer_name", o.computerName())
          .put("status", o.status()).put("fail_reason", o.failReason()));
      if (FAILED.equals(o.status())) {
        if (reasons.length() > 0) {
          reasons.append("; ");
        }
        reasons.append(o.computerName() != null ? o.computerName() : o.desktopId()).append(": ").append(o.failReason());
      }
    }
    String reason = reasons.length() == 0 ? null : truncate(reasons.toString());
    long now = System.currentTimeMillis();
    update(c, "UPDATE jobs SET status = ?, fail_reason = ?, entities = ?, begin_time = COALESCE(begin_time, ?), "
        + "end_time = ? WHERE id = ?", reason == null ? SUCCESS : FAILED, reason, entities.encode(), now, now, jobId);
  }

  private static String truncate(String reason) {
    return reason == null ? null : reason.substring(0, Math.min(reason.length(), 2000));
  }

  public Optional<Job> find(Connection c, String projectId, String id) throws SQLException {
    return one(c, COLUMNS + "WHERE id = ? AND project_id = ?", Jobs::job, id, projectId);
  }

  /** Fails the tasks this node was running when it stopped; returns their desktops. */
  public List<String> failInterrupted(Connection c, String node) throws SQLException {
    return fail(c, RUNNING, "t.claimed_by = ?", n -> "interrupted: Deskgate restarted while the job ran", node)
        .stream().map(Abandoned::desktopId).toList();
  }

  /**
   * Fails the tasks no node will run: waiting for an owner node that is lost, or that has not been up for
   * {@code timeoutMs}; and running on a node now lost. Returns them with their desktops.
   */
  public List<Abandoned> failOrphaned(Connection c, long now, long timeoutMs) throws SQLException {
    String up = "EXISTS (SELECT 1 FROM nodes n WHERE n.name = t.run_on AND n.status = '" + NodeRegistry.UP + "')";
    String lost = "EXISTS (SELECT 1 FROM nodes n WHERE n.name = t.%s AND n.status = '" + NodeRegistry.LOST + "')";
    List<Abandoned> failed = new ArrayList<>(fail(c, WAITING, "t.run_on IS NOT NULL AND (" + lost.formatted("run_on")
            + " OR (t.created_at < ? AND NOT " + up + "))", owner -> "the desktop's owner node " + owner
            + " has sent no heartbeat for " + timeoutMs / 1000 + " s; start it again, or move the desktop to another node",
        now - timeoutMs));
    failed.addAll(fail(c, RUNNING, lost.formatted("claimed_by"),
        runner -> "interrupted: node " + runner + " stopped sending heartbeats while it ran"));
    return failed;
  }

  /**
   * Fails the tasks in {@code status} that {@code where} picks (rows another transaction holds are left
   * for later), each with the reason for the node it waits for or runs on, ending their jobs when done.
   */
  private List<Abandoned> fail(Connection c, String status, String where, Function<String, String> reasonFor,
                               Object... args) throws SQLException {
    record Picked(String jobId, int seq, String desktopId, String operation, String node) {}
    Object[] all = new Object[args.length + 1];
    all[0] = status;
    System.arraycopy(args, 0, all, 1, args.length);
    List<Picked> picked = Sql.list(c, "SELECT job_id, seq, desktop_id, job_type, " + (RUNNING.equals(status)
            ? "claimed_by" : "run_on") + " FROM job_tasks t WHERE t.status = ? AND " + where + " FOR UPDATE SKIP LOCKED",
        rs -> new Picked(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5)), all);
    List<Abandoned> failed = new ArrayList<>();
    for (Picked p : picked) {
      String reason = reasonFor.apply(p.node());
      lockJob(c, p.jobId());
      update(c, "UPDATE job_tasks SET status = ?, fail_reason = ? WHERE job_id = ? AND seq = ?", FAILED, reason,
          p.jobId(), p.seq());
      finishIfDone(c, p.jobId());
      failed.add(new Abandoned(p.desktopId(), p.operation(), reason, RUNNING.equals(status)));
    }
    return failed;
  }

  private static Job job(ResultSet rs) throws SQLException {
    return new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        new JsonArray(rs.getString(6)), rs.getLong(7), (Long) rs.getObject(8, Long.class), (Long) rs.getObject(9, Long.class));
  }
}
