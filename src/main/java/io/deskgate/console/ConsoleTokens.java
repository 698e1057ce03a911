package io.deskgate.console;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.auth.Digests;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.proxy.CloseReason;
import io.deskgate.proxy.ConsolePolicy;
import io.deskgate.proxy.ConsoleRefusal;
import io.deskgate.proxy.TokenLookup;
import io.deskgate.rfb.DesktopTls;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.store.StoreUnavailableException;
import io.vertx.core.Future;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Console tokens: the one-time secret in a console URL. A random UUID (122 random bits) handed out
 * once, stored only as its SHA-256 with the desktop, project, user and expiry, consumed by the first
 * WebSocket that presents it (an UPDATE guarded by {@code used_at IS NULL}, so of two concurrent
 * redemptions, on one node or several, exactly one wins).
 */
public final class ConsoleTokens implements TokenLookup {

  private final Database db;
  private final DesktopStore desktops;
  private final long ttlMillis;
  private final SecretBox secrets;
  private final ConsolePolicy defaults;
  private final String redeemSql;

  /** {@code defaults}: the config's clipboard and viewers policy, for desktops and projects without their own. */
  public ConsoleTokens(Database db, DesktopStore desktops, SecretBox secrets, ConsolePolicy defaults, int ttlSeconds) {
    this.db = db;
    this.defaults = defaults;
    this.secrets = secrets;
    this.desktops = desktops;
    this.ttlMillis = ttlSeconds * 1000L;
    this.redeemSql = redeemStatement(db.isPostgres());
  }

  /**
   * Consumes the token and reads what its console needs in one statement, one round trip to the store:
   * the token's user and mode, its project's policy and its desktop (a desktop's tokens go with it). No
   * row: the token was unknown, used or expired. Parameters: now, the token's hash, now.
   */
  private static String redeemStatement(boolean postgres) {
    String consume = "UPDATE console_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?";
    String read = "SELECT t.user_id, t.view_only, " + DesktopStore.projectPolicyColumns("p") + ", "
        + DesktopStore.columns("d") + " FROM %s JOIN desktops d ON d.id = t.desktop_id "
        + "LEFT JOIN project_console_policies p ON p.project_id = d.project_id";
    return postgres
        ? "WITH t AS (" + consume + " RETURNING user_id, view_only, desktop_id) " + read.formatted("t")
        : read.formatted("FINAL TABLE (" + consume + ") t");
  }

  /** A fresh token for the user on the desktop, for a full console. */
  public String issue(Connection c, Desktop desktop, String userId) throws SQLException {
    return issue(c, desktop.projectId(), desktop.id(), null, userId, false);
  }

  /**
   * A fresh token for the user on the project's desktop (for a view-only console when {@code viewOnly}),
   * in one statement that stores it only when the desktop accepts consoles and, when {@code owner} is
   * given, is assigned to that user; null otherwise.
   */
  public String issue(Connection c, String projectId, String desktopId, String owner, String userId,
                      boolean viewOnly) throws SQLException {
    String token = Digests.newLinkToken();
    long now = System.currentTimeMillis();
    String sql = "INSERT INTO console_tokens (token_hash, desktop_id, project_id, user_id, created_at, expires_at, "
        + "view_only) SELECT ?, d.id, d.project_id, ?, ?, ?, ? FROM desktops d WHERE d.id = ? AND d.project_id = ? "
        + "AND d.status = 'ACTIVE' AND d.task_status = ''" + (owner == null ? "" : " AND d.user_name = ?");
    List<Object> args = new ArrayList<>(List.of(Digests.sha256Hex(token), userId, now, now + ttlMillis, viewOnly,
        desktopId, projectId));
    if (owner != null) {
      args.add(owner);
    }
    return update(c, sql, args.toArray()) == 1 ? token : null;
  }

  @Override
  public boolean looksLikeToken(String candidate) {
    return Digests.isLinkToken(candidate);
  }

  @Override
  public Future<Target> redeem(String token) {
    if (!looksLikeToken(token)) {
      return Future.failedFuture(new ConsoleRefusal(CloseReason.TOKEN_REFUSED, "malformed token"));
    }
    String hash = Digests.sha256Hex(token);
    return db.run(c -> {
      long now = System.currentTimeMillis();
      Optional<Target> redeemed = one(c, redeemSql, rs -> {
            Desktop desktop = DesktopStore.desktop(rs, 5);
            if (!desktop.acceptsConsoles()) {
              throw new ConsoleRefusal(CloseReason.DESKTOP_NOT_RUNNING, "desktop is " + desktop.stateForConflict());
            }
            ConsolePolicy policy = new ConsolePolicy(rs.getBoolean(2),
                pick(ConsolePolicy.Clipboard.class, desktop.console().clipboard(), rs.getString(3), defaults.clipboard()),
                pick(ConsolePolicy.Viewers.class, desktop.console().viewers(), rs.getString(4), defaults.viewers()),
                pick(ConsolePolicy.Recording.class, desktop.console().recording(), rs.getString(5),
                    defaults.recording()));
            return target(desktop, rs.getString(1), policy);
          }, now, hash, now);
      if (redeemed.isEmpty()) {
        throw new ConsoleRefusal(CloseReason.TOKEN_REFUSED, whyUnusable(c, hash, now));
      }
      return redeemed.get();
    }).recover(e -> Future.failedFuture(e instanceof StoreUnavailableException
        ? new ConsoleRefusal(CloseReason.STORE_UNAVAILABLE, e.getMessage()) : e));
  }

  /**
   * What the proxy needs to reach the desktop: its credentials unsealed, and TLS prepared (files read
   * here, off the event loop) when its security mode may lead to VeNCrypt.
   */
  private Target target(Desktop desktop, String userId, ConsolePolicy policy) {
    Desktop.ConsoleEndpoint endpoint = desktop.console();
    String password = endpoint.passwordSealed() == null ? null
        : secrets.open(endpoint.passwordSealed(), Desktop.passwordSealContext(desktop.id()));
    DesktopTls tls = null;
    if (endpoint.security() == SecurityMode.AUTO || endpoint.security() == SecurityMode.VENCRYPT) {
      try {
        tls = DesktopTls.load(endpoint.tls());
      } catch (IOException | GeneralSecurityException e) {
        throw new ConsoleRefusal(CloseReason.DESKTOP_TLS_FAILED, "TLS settings of desktop " + desktop.id()
            + " cannot be loaded: " + e.getMessage());
      }
    }
    return new Target(desktop.projectId(), desktop.id(), userId, endpoint.host(), endpoint.port(), desktop.computerName(),
        endpoint.credentials(password), tls, policy);
  }

  /** The desktop's value, else its project's, else the config's. */
  private static <E extends Enum<E>> E pick(Class<E> type, String desktops, String projects, E configured) {
    E value = ConsolePolicy.parse(type, desktops);
    if (value == null) {
      value = ConsolePolicy.parse(type, projects);
    }
    return value == null ? configured : value;
  }

  /** The desktop of a token that is still unused and unexpired, and the token's mode, without consuming it (for the page). */
  public record Peeked(Desktop desktop, boolean viewOnly) {}

  public Future<Optional<Peeked>> peek(String token) {
    if (!looksLikeToken(token)) {
      return Future.succeededFuture(Optional.empty());
    }
    String hash = Digests.sha256Hex(token);
    return db.run(c -> {
      Optional<Grant> grant = one(c, "SELECT desktop_id, view_only FROM console_tokens WHERE token_hash = ? "
              + "AND used_at IS NULL AND expires_at > ?",
          rs -> new Grant(rs.getString(1), rs.getBoolean(2)), hash, System.currentTimeMillis());
      if (grant.isEmpty()) {
        return Optional.<Peeked>empty();
      }
      return desktops.find(c, grant.get().desktopId()).map(d -> new Peeked(d, grant.get().viewOnly()));
    });
  }

  /** Makes every unused token of a desktop unusable (the desktop stops or goes away). */
  public static int voidUnused(Connection c, String desktopId) throws SQLException {
    long now = System.currentTimeMillis();
    return update(c, "UPDATE console_tokens SET used_at = ? WHERE desktop_id = ? AND used_at IS NULL", now, desktopId);
  }

  /** Deletes tokens that expired more than a day ago; returns how many. */
  public static int purgeExpired(Connection c, long now) throws SQLException {
    return update(c, "DELETE FROM console_tokens WHERE expires_at < ?", now - 86_400_000L);
  }

  /** What an unused token grants: a desktop, maybe for viewing only. */
  private record Grant(String desktopId, boolean viewOnly) {}

  private static String whyUnusable(Connection c, String hash, long now) throws SQLException {
    return one(c, "SELECT used_at, expires_at FROM console_tokens WHERE token_hash = ?",
        rs -> rs.getObject(1) != null ? "token already used" : rs.getLong(2) <= now ? "token expired" : "token raced",
        hash).orElse("unknown token");
  }
}
