package io.deskgate.recording;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.auth.Digests;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One-time replay links: the secret in a replay page's URL. A random UUID (122 random bits) handed out
 * once, stored only as its SHA-256 with the recording, project, user and expiry, and spent by the first
 * page that presents it (an UPDATE guarded by {@code used_at IS NULL}: of two pages, exactly one wins).
 */
public final class ReplayLinks {

  /** What a spent link opens: the recording's catalog row, and who asked for the link. */
  public record Redeemed(RecordingCatalog.Entry recording, String userId) {}

  private final long ttlMillis;

  public ReplayLinks(int ttlSeconds) {
    this.ttlMillis = ttlSeconds * 1000L;
  }

  public long ttlMillis() {
    return ttlMillis;
  }

  /** A fresh link's token for the project's recording, for {@code userId}. */
  public String issue(Connection c, String projectId, String recordingId, String userId, long now) throws SQLException {
    String token = Digests.newLinkToken();
    update(c, "INSERT INTO replay_links (token_hash, recording_id, project_id, user_id, created_at, expires_at) "
        + "VALUES (?, ?, ?, ?, ?, ?)", Digests.sha256Hex(token), recordingId, projectId, userId, now, now + ttlMillis);
    return token;
  }

  /** Spends the token; empty when it is malformed, unknown, used or expired. */
  public static Optional<Redeemed> redeem(Connection c, String token, long now) throws SQLException {
    if (!Digests.isLinkToken(token)) {
      return Optional.empty();
    }
    String hash = Digests.sha256Hex(token);
    if (update(c, "UPDATE replay_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        now, hash, now) != 1) {
      return Optional.empty();
    }
    Optional<String[]> link = one(c, "SELECT project_id, recording_id, user_id FROM replay_links WHERE token_hash = ?",
        rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, hash);
    if (link.isEmpty()) {
      return Optional.empty();
    }
    return RecordingCatalog.find(c, link.get()[0], link.get()[1]).map(r -> new Redeemed(r, link.get()[2]));
  }

  /** Forgets links expired a day ago or more. */
  public static int purgeExpired(Connection c, long now) throws SQLException {
    return update(c, "DELETE FROM replay_links WHERE expires_at < ?", now - 86_400_000L);
  }
}
