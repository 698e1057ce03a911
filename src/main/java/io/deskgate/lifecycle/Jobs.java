package io.deskgate.lifecycle;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

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

/**
 * Workspace jobs in the store: one per create, delete or power action, with one entity (sub-job) per
 * desktop. {@code WAITING} -> {@code RUNNING} -> {@code SUCCESS} | {@code FAILED}. A job never stays
 * {@code RUNNING} past its node's restart: {@link #failInterrupted} ends it.
 */
public final class Jobs {

  public static final String WAITING = "WAITING";
  public static final String RUNNING = "RUNNING";
  public static final String SUCCESS = "SUCCESS";
  public static final String FAILED = "FAILED";

  /** A job and the outcome per desktop ({@code entities}: desktop_id, status, fail_reason). */
  public record Job(String id, String projectId, String type, String status, String failReason, JsonArray entities,
                    long createdAt, Long beginTime, Long endTime) {}

  private static final String COLUMNS =
      "SELECT id, project_id, job_type, status, fail_reason, entities, created_at, begin_time, end_time FROM jobs ";

  public String create(Connection c, String projectId, String type, JsonArray entities, String node) throws SQLException {
    String id = UUID.randomUUID().toString();
    update(c, "INSERT INTO jobs (id, project_id, job_type, status, entities, owner_node, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        id, projectId, type, WAITING, entities.encode(), node, System.currentTimeMillis());
    return id;
  }

  public void running(Connection c, String id) throws SQLException {
    update(c, "UPDATE jobs SET status = ?, begin_time = ? WHERE id = ?", RUNNING, System.currentTimeMillis(), id);
  }

  /** Ends the job: SUCCESS when every entity succeeded, else FAILED with their reasons. */
  public void finish(Connection c, String id, JsonArray entities) throws SQLException {
    StringBuilder reasons = new StringBuilder();
    for (Object e : entities) {
      JsonObject entity = (JsonObject) e;
      if (FAILED.equals(entity.getString("status"))) {
        if (reasons.length() > 0) {
          reasons.append("; ");
        }
        reasons.append(entity.getString("desktop_id", entity.getString("computer_name", "?"))).append(": ")
            .append(entity.getString("fail_reason"));
      }
    }
    String reason = reasons.length() == 0 ? null : reasons.substring(0, Math.min(reasons.length(), 2000));
    update(c, "UPDATE jobs SET status = ?, fail_reason = ?, entities = ?, end_time = ? WHERE id = ?",
        reason == null ? SUCCESS : FAILED, reason, entities.encode(), System.currentTimeMillis(), id);
  }

  public Optional<Job> find(Connection c, String projectId, String id) throws SQLException {
    return one(c, COLUMNS + "WHERE id = ? AND project_id = ?", Jobs::job, id, projectId);
  }

  /**
   * Fails the unfinished jobs of a node that stopped while running them, each of their desktops marked
   * failed; returns the desktops they were working on.
   */
  public List<String> failInterrupted(Connection c, String node) throws SQLException {
    String reason = "interrupted: Deskgate restarted while the job ran";
    List<String> desktops = new ArrayList<>();
    for (Job job : Sql.list(c, COLUMNS + "WHERE owner_node = ? AND status IN (?, ?)", Jobs::job, node, WAITING, RUNNING)) {
      for (Object e : job.entities()) {
        JsonObject entity = (JsonObject) e;
        if (!entity.containsKey("status") || !SUCCESS.equals(entity.getString("status"))) {
          entity.put("status", FAILED).put("fail_reason", reason);
          if (entity.getString("desktop_id") != null) {
            desktops.add(entity.getString("desktop_id"));
          }
        }
      }
      finish(c, job.id(), job.entities());
    }
    return desktops;
  }

  private static Job job(ResultSet rs) throws SQLException {
    return new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        new JsonArray(rs.getString(6)), rs.getLong(7), (Long) rs.getObject(8, Long.class), (Long) rs.getObject(9, Long.class));
  }
}
