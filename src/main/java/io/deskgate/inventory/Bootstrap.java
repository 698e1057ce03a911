package io.deskgate.inventory;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.auth.Digests;
import io.deskgate.auth.PasswordHasher;
import io.deskgate.auth.Role;
import io.deskgate.store.Database;
import java.util.Optional;

/**
 * The first start without an inventory: one domain, one project and an admin user with a generated
 * password, printed once and stored only as a hash. Later starts find that admin again; a lost
 * password is replaced with {@link #resetAdminPassword}.
 */
public final class Bootstrap {

  public static final String DOMAIN = "deskgate";
  public static final String PROJECT = "local";
  public static final String ADMIN = "admin";

  /** The bootstrap admin and its project; {@code password} is set only when it was generated just now. */
  public record Admin(String domain, String user, String userId, String projectId, String projectName,
                      String password) {}

  private Bootstrap() {}

  /** Creates the admin when the store holds no domain at all; otherwise finds the existing one. */
  public static Optional<Admin> ensureAdmin(Database db, PasswordHasher hasher) {
    return db.transactionNow(c -> {
      boolean empty = one(c, "SELECT COUNT(*) FROM domains", rs -> rs.getLong(1)).orElse(0L) == 0;
      if (!empty) {
        return find(db);
      }
      String domainId = InventoryApplier.ensureDomain(c, DOMAIN);
      String projectId = Digests.randomHexId(32);
      String userId = Digests.randomHexId(32);
      String password = Digests.randomPassword(20);
      long now = System.currentTimeMillis();
      update(c, "INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, ?, ?, ?)", projectId, domainId, PROJECT, now);
      update(c, "INSERT INTO users (id, domain_id, name, password_hash, enabled, created_at) VALUES (?, ?, ?, ?, TRUE, ?)",
          userId, domainId, ADMIN, hasher.hash(password), now);
      update(c, "INSERT INTO project_roles (project_id, user_id, role) VALUES (?, ?, ?)",
          projectId, userId, Role.WORKSPACE_ADMIN.id());
      return Optional.of(new Admin(DOMAIN, ADMIN, userId, projectId, PROJECT, password));
    });
  }

  /** The bootstrap admin, when this store has one. */
  public static Optional<Admin> find(Database db) {
    return db.runNow(c -> one(c, "SELECT u.id, p.id FROM users u JOIN domains d ON d.id = u.domain_id "
            + "JOIN project_roles r ON r.user_id = u.id JOIN projects p ON p.id = r.project_id "
            + "WHERE d.name = ? AND u.name = ? AND p.name = ?",
        rs -> new Admin(DOMAIN, ADMIN, rs.getString(1), rs.getString(2), PROJECT, null), DOMAIN, ADMIN, PROJECT));
  }

  /** Gives the bootstrap admin a new generated password and returns it. */
  public static Optional<String> resetAdminPassword(Database db, PasswordHasher hasher) {
    String password = Digests.randomPassword(20);
    String hash = hasher.hash(password);
    return db.transactionNow(c -> update(c, "UPDATE users SET password_hash = ?, enabled = TRUE WHERE name = ? "
        + "AND domain_id = (SELECT id FROM domains WHERE name = ?)", hash, ADMIN, DOMAIN) == 1
        ? Optional.of(password) : Optional.empty());
  }
}
