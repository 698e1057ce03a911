package io.deskgate.auth;

import static io.deskgate.store.Sql.list;
import static io.deskgate.store.Sql.one;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads of domains, users, projects, role assignments and access keys. Plain JDBC on a connection the
 * caller borrowed through {@code Database}; writes live in {@code InventoryApplier}.
 */
public final class IdentityStore {

  public record User(String id, String name, String domainId, String domainName, String passwordHash,
                     boolean enabled) {}

  public record Project(String id, String name, String domainId, String domainName) {}

  public record AccessKey(String accessKey, String userId, String secretSealed, String status) {
    public boolean active() {
      return "active".equals(status);
    }

    /** The context its secret is sealed under, so that a secret moved to another key does not open. */
    public static String sealContext(String accessKey) {
      return "access-key:" + accessKey;
    }
  }

  private static final String USER_COLUMNS =
      "SELECT u.id, u.name, u.domain_id, d.name, u.password_hash, u.enabled FROM users u JOIN domains d ON d.id = u.domain_id ";
  private static final String PROJECT_COLUMNS =
      "SELECT p.id, p.name, p.domain_id, d.name FROM projects p JOIN domains d ON d.id = p.domain_id ";

  public Optional<User> userByName(Connection c, String domainName, String userName) throws SQLException {
    return one(c, USER_COLUMNS + "WHERE d.name = ? AND u.name = ?", IdentityStore::user, domainName, userName);
  }

  public Optional<User> userById(Connection c, String userId) throws SQLException {
    return one(c, USER_COLUMNS + "WHERE u.id = ?", IdentityStore::user, userId);
  }

  public Optional<Project> projectById(Connection c, String projectId) throws SQLException {
    return one(c, PROJECT_COLUMNS + "WHERE p.id = ?", IdentityStore::project, projectId);
  }

  public Optional<Project> projectByName(Connection c, String domainId, String name) throws SQLException {
    return one(c, PROJECT_COLUMNS + "WHERE p.domain_id = ? AND p.name = ?", IdentityStore::project, domainId, name);
  }

  public Optional<AccessKey> accessKey(Connection c, String ak) throws SQLException {
    return one(c, "SELECT access_key, user_id, secret_enc, status FROM access_keys WHERE access_key = ?",
        rs -> new AccessKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), ak);
  }

  /** The built-in roles the user holds in the project; role names Deskgate does not know are skipped. */
  public Set<Role> roles(Connection c, String projectId, String userId) throws SQLException {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String id : list(c, "SELECT role FROM project_roles WHERE project_id = ? AND user_id = ?",
        rs -> rs.getString(1), projectId, userId)) {
      Role.byId(id).ifPresent(roles::add);
    }
    return roles;
  }

  /** Every built-in role the user holds in any project of its domain. */
  public Set<Role> rolesInDomain(Connection c, String userId) throws SQLException {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String id : list(c, "SELECT DISTINCT role FROM project_roles WHERE user_id = ?", rs -> rs.getString(1), userId)) {
      Role.byId(id).ifPresent(roles::add);
    }
    return roles;
  }

  private static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getBoolean(6));
  }

  private static Project project(ResultSet rs) throws SQLException {
    return new Project(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
  }
}
