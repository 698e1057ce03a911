package io.deskgate.auth;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IAM tokens ({@code X-Auth-Token}): 256 random bits, base64url (43 characters), handed out once and
 * stored only as their SHA-256. Scoped to one project, expiring, revocable.
 */
public final class IamTokens {

  private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{43}");

  public record Issued(String token, long issuedAt, long expiresAt) {}

  public record Stored(String userId, String projectId, String methods, long issuedAt, long expiresAt,
                       boolean revoked) {
    public boolean expired(long now) {
      return now >= expiresAt;
    }
  }

  private final long ttlMillis;

  public IamTokens(int ttlSeconds) {
    this.ttlMillis = ttlSeconds * 1000L;
  }

  /** False for anything that cannot be one of our tokens, so garbage never reaches the store. */
  public static boolean wellFormed(String token) {
    return token != null && FORMAT.matcher(token).matches();
  }

  public Issued issue(Connection c, String userId, String projectId, String methods) throws SQLException {
    String token = Digests.randomToken(32);
    long now = System.currentTimeMillis();
    update(c, "INSERT INTO iam_tokens (token_hash, user_id, project_id, methods, issued_at, expires_at, revoked) "
        + "VALUES (?, ?, ?, ?, ?, ?, FALSE)", Digests.sha256Hex(token), userId, projectId, methods, now, now + ttlMillis);
    return new Issued(token, now, now + ttlMillis);
  }

  public Optional<Stored> find(Connection c, String token) throws SQLException {
    if (!wellFormed(token)) {
      return Optional.empty();
    }
    return one(c, "SELECT user_id, project_id, methods, issued_at, expires_at, revoked FROM iam_tokens WHERE token_hash = ?",
        rs -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
            rs.getBoolean(6)),
        Digests.sha256Hex(token));
  }

  public boolean revoke(Connection c, String token) throws SQLException {
    return wellFormed(token)
        && update(c, "UPDATE iam_tokens SET revoked = TRUE WHERE token_hash = ?", Digests.sha256Hex(token)) == 1;
  }

  /** Deletes tokens that expired more than a day ago; returns how many. */
  public static int purgeExpired(Connection c, long now) throws SQLException {
    return update(c, "DELETE FROM iam_tokens WHERE expires_at < ?", now - 86_400_000L);
  }
}
