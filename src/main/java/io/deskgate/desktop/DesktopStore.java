package io.deskgate.desktop;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.api.ApiException;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.store.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Desktops in the store. */
public final class DesktopStore {

  /** Desktop ids: 1-255 characters, letters, digits, '-', '_' and '.'. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

  private static final String COLUMNS = "SELECT " + columns("desktops") + " FROM desktops ";

  /** The columns {@link #desktop(ResultSet, int)} reads, qualified by a table alias, for queries that join desktops. */
  public static String columns(String alias) {
    return String.join(", ", java.util.Arrays.stream(new String[] {"id", "project_id", "computer_name", "user_name",
        "status", "task_status", "ip_addresses", "metadata", "console_host", "console_port", "console_password_enc",
        "console_security", "console_username", "console_tls", "console_clipboard", "console_viewers",
        "provider", "product", "provider_ref", "owner_node", "created_at", "libvirt_uri", "console_recording"}).map(c -> alias + "." + c).toList());
  }

  /** Fails with 400 unless {@code desktopId} is a well-formed desktop id. */
  public static void requireValidId(String desktopId) {
    if (desktopId == null || !ID.matcher(desktopId).matches()) {
      throw ApiException.badParameter("desktop_id must be 1-255 characters: letters, digits, '-', '_' or '.'.");
    }
  }

  /** The desktop, if it exists in that project. */
  public Optional<Desktop> find(Connection c, String projectId, String desktopId) throws SQLException {
    return one(c, COLUMNS + "WHERE id = ? AND project_id = ?", DesktopStore::desktop, desktopId, projectId);
  }

  public Optional<Desktop> find(Connection c, String desktopId) throws SQLException {
    return one(c, COLUMNS + "WHERE id = ?", DesktopStore::desktop, desktopId);
  }

  /**
   * Creates the desktop, or updates its project, name, user, addresses, metadata and console endpoint
   * when it exists; an existing desktop keeps its status, task and creation time.
   */
  public void upsert(Connection c, Desktop d) throws SQLException {
    long now = System.currentTimeMillis();
    Desktop.ConsoleEndpoint console = d.console();
    String ips = new JsonArray(d.ipAddresses()).encode();
    String metadata = new JsonObject(Map.copyOf(d.metadata())).encode();
    Desktop.Source src = d.source();
    int updated = update(c, "UPDATE desktops SET project_id = ?, computer_name = ?, user_name = ?, ip_addresses = ?, "
            + "metadata = ?, console_host = ?, console_port = ?, console_password_enc = ?, console_security = ?, "
            + "console_username = ?, console_tls = ?, console_clipboard = ?, console_viewers = ?, provider = ?, product = ?, provider_ref = ?, owner_node = ?, "
            + "libvirt_uri = ?, console_recording = ?, updated_at = ? WHERE id = ?",
        d.projectId(), d.computerName(), d.userName(), ips, metadata, console.host(), console.port(),
        console.passwordSealed(), console.security().configName(), console.username(), tlsJson(console.tls()),
        console.clipboard(), console.viewers(), src.provider(), src.product(), src.ref(), src.ownerNode(), src.libvirtUri(),
        console.recording(), now, d.id());
    if (updated == 0) {
      update(c, "INSERT INTO desktops (id, project_id, computer_name, user_name, status, task_status, ip_addresses, "
              + "metadata, console_host, console_port, console_password_enc, console_security, console_username, console_tls, "
              + "console_clipboard, console_viewers, provider, product, provider_ref, owner_node, libvirt_uri, console_recording, "
              + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          d.id(), d.projectId(), d.computerName(), d.userName(), d.status(), d.taskStatus(), ips, metadata,
          console.host(), console.port(), console.passwordSealed(), console.security().configName(),
          console.username(), tlsJson(console.tls()), console.clipboard(), console.viewers(), src.provider(), src.product(), src.ref(),
          src.ownerNode(), src.libvirtUri(), console.recording(), d.createdAt(), now);
    }
  }

  /** Which desktops a list call wants; empty values do not filter. */
  public record Filter(String computerName, String status, List<String> userNames, List<String> desktopIds) {}

  /** One page of a list and how many desktops match in all. */
  public record Page(long total, List<Desktop> desktops) {}

  /** The project's desktops that match, oldest first, {@code limit} of them from {@code offset}. */
  public Page list(Connection c, String projectId, Filter filter, int offset, int limit) throws SQLException {
    StringBuilder where = new StringBuilder("WHERE project_id = ?");
    List<Object> args = new ArrayList<>(List.of(projectId));
    if (filter.computerName() != null && !filter.computerName().isEmpty()) {
      where.append(" AND LOWER(computer_name) LIKE ? ESCAPE '!'");
      args.add("%" + filter.computerName().toLowerCase(Locale.ROOT).replaceAll("[!%_]", "!$0") + "%");
    }
    if (filter.status() != null && !filter.status().isEmpty()) {
      where.append(" AND status = ?");
      args.add(filter.status());
    }
    in(where, args, "user_name", filter.userNames());
    in(where, args, "id", filter.desktopIds());
    long total = one(c, "SELECT COUNT(*) FROM desktops " + where, rs -> rs.getLong(1), args.toArray()).orElse(0L);
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(limit);
    pageArgs.add(offset);
    List<Desktop> page = Sql.list(c, COLUMNS + where + " ORDER BY created_at, id LIMIT ? OFFSET ?",
        DesktopStore::desktop, pageArgs.toArray());
    return new Page(total, page);
  }

  private static void in(StringBuilder where, List<Object> args, String column, List<String> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    where.append(" AND ").append(column).append(" IN (").append(Sql.placeholders(values.size())).append(')');
    args.addAll(values);
  }

  /** The region's desktops counted by status and provider: {@code [status, provider, count]} rows. */
  public static List<Object[]> census(Connection c) throws SQLException {
    return Sql.list(c, "SELECT status, provider, COUNT(*) FROM desktops GROUP BY status, provider",
        rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)});
  }

  /** Every desktop of a provider, in all projects (for probes and supervision). */
  public List<Desktop> byProvider(Connection c, String provider) throws SQLException {
    return Sql.list(c, COLUMNS + "WHERE provider = ? ORDER BY id", DesktopStore::desktop, provider);
  }

  public boolean setConsole(Connection c, String desktopId, Desktop.ConsoleEndpoint console) throws SQLException {
    return update(c, "UPDATE desktops SET console_host = ?, console_port = ?, console_password_enc = ?, "
            + "console_security = ?, console_username = ?, console_tls = ?, updated_at = ? WHERE id = ?",
        console.host(), console.port(), console.passwordSealed(), console.security().configName(), console.username(),
        tlsJson(console.tls()), System.currentTimeMillis(), desktopId) == 1;
  }

  /** Sets a project's console policy (null values: the config's). */
  public void setProjectPolicy(Connection c, String projectId, String clipboard, String viewers, String recording)
      throws SQLException {
    if (update(c, "UPDATE project_console_policies SET clipboard = ?, viewers = ?, recording = ? WHERE project_id = ?",
        clipboard, viewers, recording, projectId) == 0) {
      update(c, "INSERT INTO project_console_policies (project_id, clipboard, viewers, recording) VALUES (?, ?, ?, ?)",
          projectId, clipboard, viewers, recording);
    }
  }

  /**
   * The columns of a project's console policy (clipboard, viewers, recording), for queries that join
   * {@code project_console_policies} as {@code alias}.
   */
  public static String projectPolicyColumns(String alias) {
    return alias + ".clipboard, " + alias + ".viewers, " + alias + ".recording";
  }

  public boolean delete(Connection c, String desktopId) throws SQLException {
    update(c, "DELETE FROM console_tokens WHERE desktop_id = ?", desktopId);
    return update(c, "DELETE FROM desktops WHERE id = ?", desktopId) == 1;
  }

  /** Gives a node-local desktop another owner node. */
  public boolean setOwner(Connection c, String desktopId, String node) throws SQLException {
    return update(c, "UPDATE desktops SET owner_node = ?, updated_at = ? WHERE id = ?", node,
        System.currentTimeMillis(), desktopId) == 1;
  }

  public boolean setStatus(Connection c, String desktopId, String status, String taskStatus) throws SQLException {
    return update(c, "UPDATE desktops SET status = ?, task_status = ?, updated_at = ? WHERE id = ?",
        status, taskStatus, System.currentTimeMillis(), desktopId) == 1;
  }

  private static Desktop desktop(ResultSet rs) throws SQLException {
    return desktop(rs, 0);
  }

  /** The desktop whose {@link #columns} start after column {@code offset} of the row. */
  public static Desktop desktop(ResultSet rs, int offset) throws SQLException {
    int o = offset;
    List<String> ips = new JsonArray(rs.getString(o + 7)).stream().map(String::valueOf).toList();
    Map<String, String> metadata = new TreeMap<>();
    new JsonObject(rs.getString(o + 8)).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    return new Desktop(rs.getString(o + 1), rs.getString(o + 2), rs.getString(o + 3), rs.getString(o + 4),
        rs.getString(o + 5), rs.getString(o + 6), ips, metadata,
        new Desktop.ConsoleEndpoint(rs.getString(o + 9), rs.getInt(o + 10), rs.getString(o + 11),
            SecurityMode.parse(rs.getString(o + 12)), rs.getString(o + 13), tls(rs.getString(o + 14)),
            rs.getString(o + 15), rs.getString(o + 16), rs.getString(o + 23)),
        new Desktop.Source(rs.getString(o + 17), rs.getString(o + 18), rs.getString(o + 19), rs.getString(o + 20),
            rs.getString(o + 22)),
        rs.getLong(o + 21));
  }

  private static String tlsJson(TlsSettings tls) {
    if (tls.equals(TlsSettings.DEFAULT)) {
      return null;
    }
    return new JsonObject().put("ca_file", tls.caFile()).put("server_name", tls.serverName())
        .put("client_cert_file", tls.clientCertFile()).put("client_key_file", tls.clientKeyFile())
        .put("allow_anonymous", tls.allowAnonymous()).encode();
  }

  private static TlsSettings tls(String json) {
    if (json == null) {
      return TlsSettings.DEFAULT;
    }
    JsonObject o = new JsonObject(json);
    return new TlsSettings(o.getString("ca_file"), o.getString("server_name"), o.getString("client_cert_file"),
        o.getString("client_key_file"), o.getBoolean("allow_anonymous", false));
  }
}
