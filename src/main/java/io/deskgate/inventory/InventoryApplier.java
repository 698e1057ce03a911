package io.deskgate.inventory;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.auth.Digests;
import io.deskgate.auth.IdentityStore;
import io.deskgate.auth.PasswordHasher;
import io.deskgate.auth.Role;
import io.deskgate.config.ConfigException;
import io.deskgate.config.ConfigLoader;
import io.deskgate.config.Inventory;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.provider.LibvirtProvider;
import io.deskgate.provider.StaticProvider;
import io.deskgate.provider.XvncProvider;
import io.deskgate.rfb.DesktopTls;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Applies the config file's inventory to the store, in one transaction, at every start: domains,
 * users (password hashed, access keys' secrets sealed), projects with their members' roles, and
 * desktops (static ones with their console endpoints; xvnc and libvirt ones are brought to life by the
 * lifecycle watcher; an xvnc desktop is owned by its {@code node}, else by the node that owns it already,
 * else by the node applying the inventory first). Nodes applying it at once on PostgreSQL take turns. Idempotent: what exists is updated to match, what is missing
 * is created, nothing is deleted. A member's roles in a project are exactly the ones listed.
 */
public final class InventoryApplier {

  /** The PostgreSQL advisory lock key that serialises inventory application across nodes. */
  private static final long INVENTORY_LOCK = 0x6465736b67617465L;

  private final PasswordHasher hasher;
  private final SecretBox secrets;
  private final DesktopStore desktops;
  private final Set<String> xvncProducts;
  private final String node;
  private final String libvirtUri;

  /**
   * {@code xvncProducts}: the products xvnc desktops may name; {@code node}: this node, which claims the
   * ones nobody owns; {@code libvirtUri}: this node's libvirt connection, behind which its libvirt desktops are.
   */
  public InventoryApplier(PasswordHasher hasher, SecretBox secrets, DesktopStore desktops, Set<String> xvncProducts,
                          String node, String libvirtUri) {
    this.libvirtUri = libvirtUri;
    this.hasher = hasher;
    this.secrets = secrets;
    this.desktops = desktops;
    this.xvncProducts = xvncProducts;
    this.node = node;
  }

  public void apply(Database db, Inventory inventory) {
    db.transactionNow(c -> {
      if (db.isPostgres()) {
        // nodes starting together apply the inventory one after the other: the first one claims its desktops
        one(c, "SELECT pg_advisory_xact_lock(?)", rs -> true, INVENTORY_LOCK);
      }
      for (Inventory.Domain domain : list(inventory.domains())) {
        applyDomain(c, domain);
      }
      return null;
    });
  }

  private void applyDomain(Connection c, Inventory.Domain spec) throws SQLException {
    String where = "inventory domain '" + spec.name() + "'";
    requireName(spec.name(), "inventory: every domain needs a name");
    String domainId = ensureDomain(c, spec.name());
    for (Inventory.User user : list(spec.users())) {
      applyUser(c, domainId, user, where);
    }
    for (Inventory.Project project : list(spec.projects())) {
      applyProject(c, domainId, project, where);
    }
  }

  /** The domain's id, creating the domain when it does not exist. */
  public static String ensureDomain(Connection c, String name) throws SQLException {
    Optional<String> id = one(c, "SELECT id FROM domains WHERE name = ?", rs -> rs.getString(1), name);
    if (id.isPresent()) {
      return id.get();
    }
    String newId = Digests.randomHexId(32);
    update(c, "INSERT INTO domains (id, name, created_at) VALUES (?, ?, ?)", newId, name, System.currentTimeMillis());
    return newId;
  }

  private void applyUser(Connection c, String domainId, Inventory.User spec, String where) throws SQLException {
    requireName(spec.name(), where + ": every user needs a name");
    Optional<String[]> existing = one(c, "SELECT id, password_hash FROM users WHERE domain_id = ? AND name = ?",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, domainId, spec.name());
    String userId;
    if (existing.isEmpty()) {
      userId = Digests.randomHexId(32);
      update(c, "INSERT INTO users (id, domain_id, name, password_hash, enabled, created_at) VALUES (?, ?, ?, ?, TRUE, ?)",
          userId, domainId, spec.name(), spec.password() == null ? null : hasher.hash(spec.password()),
          System.currentTimeMillis());
    } else {
      userId = existing.get()[0];
      if (spec.password() != null && !hasher.verify(spec.password(), existing.get()[1])) {
        update(c, "UPDATE users SET password_hash = ? WHERE id = ?", hasher.hash(spec.password()), userId);
      }
    }
    for (Inventory.AccessKey key : list(spec.accessKeys())) {
      applyAccessKey(c, userId, key, where + " user '" + spec.name() + "'");
    }
  }

  private void applyAccessKey(Connection c, String userId, Inventory.AccessKey spec, String where) throws SQLException {
    if (spec.ak() == null || !spec.ak().matches("[A-Za-z0-9]{8,128}") || spec.sk() == null || spec.sk().isEmpty()) {
      throw new ConfigException(where + ": access keys need an ak of 8-128 letters or digits and a non-empty sk");
    }
    Optional<String> owner = one(c, "SELECT user_id FROM access_keys WHERE access_key = ?", rs -> rs.getString(1), spec.ak());
    String sealed = secrets.seal(spec.sk(), IdentityStore.AccessKey.sealContext(spec.ak()));
    if (owner.isEmpty()) {
      update(c, "INSERT INTO access_keys (access_key, user_id, secret_enc, status, description, created_at) "
          + "VALUES (?, ?, ?, 'active', 'inventory', ?)", spec.ak(), userId, sealed, System.currentTimeMillis());
    } else if (!owner.get().equals(userId)) {
      throw new ConfigException(where + ": access key " + spec.ak() + " already belongs to another user");
    } else {
      update(c, "UPDATE access_keys SET secret_enc = ?, status = 'active' WHERE access_key = ?", sealed, spec.ak());
    }
  }

  private void applyProject(Connection c, String domainId, Inventory.Project spec, String where) throws SQLException {
    requireName(spec.name(), where + ": every project needs a name");
    String projectWhere = where + " project '" + spec.name() + "'";
    Optional<String[]> byName = one(c, "SELECT id, domain_id FROM projects WHERE domain_id = ? AND name = ?",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, domainId, spec.name());
    String projectId = spec.id() != null ? spec.id() : byName.map(r -> r[0]).orElse(Digests.randomHexId(32));
    if (!projectId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new ConfigException(projectWhere + ": id must be 1-64 letters, digits, '-' or '_'");
    }
    Optional<String> ownerDomain = one(c, "SELECT domain_id FROM projects WHERE id = ?", rs -> rs.getString(1), projectId);
    if (ownerDomain.isPresent() && !ownerDomain.get().equals(domainId)) {
      throw new ConfigException(projectWhere + ": project id " + projectId + " belongs to another domain");
    }
    if (byName.isPresent() && !byName.get()[0].equals(projectId)) {
      throw new ConfigException(projectWhere + ": the domain already has a project of that name with id " + byName.get()[0]);
    }
    if (ownerDomain.isEmpty()) {
      update(c, "INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, ?, ?, ?)",
          projectId, domainId, spec.name(), System.currentTimeMillis());
    } else {
      update(c, "UPDATE projects SET name = ? WHERE id = ?", spec.name(), projectId);
    }
    Inventory.ConsolePolicy policy = spec.console();
    desktops.setProjectPolicy(c, projectId,
        policyValue(projectWhere + ": console.clipboard", policy == null ? null : policy.clipboard(),
            ConfigLoader.CLIPBOARD),
        policyValue(projectWhere + ": console.viewers", policy == null ? null : policy.viewers(),
            ConfigLoader.VIEWERS),
        policyValue(projectWhere + ": console.recording", policy == null ? null : policy.recording(),
            ConfigLoader.RECORDING));
    for (Inventory.Member member : list(spec.members())) {
      applyMember(c, domainId, projectId, member, projectWhere);
    }
    for (Inventory.Desktop desktop : list(spec.desktops())) {
      applyDesktop(c, projectId, desktop, projectWhere);
    }
  }

  private static void applyMember(Connection c, String domainId, String projectId, Inventory.Member spec, String where)
      throws SQLException {
    String userId = one(c, "SELECT id FROM users WHERE domain_id = ? AND name = ?", rs -> rs.getString(1),
        domainId, spec.user())
        .orElseThrow(() -> new ConfigException(where + ": member '" + spec.user() + "' is not a user of the domain"));
    update(c, "DELETE FROM project_roles WHERE project_id = ? AND user_id = ?", projectId, userId);
    for (String role : list(spec.roles())) {
      if (Role.byId(role).isEmpty()) {
        throw new ConfigException(where + ": unknown role '" + role + "' for '" + spec.user() + "'; roles are "
            + Arrays.stream(Role.values()).map(Role::id).collect(Collectors.joining(", ")));
      }
      update(c, "INSERT INTO project_roles (project_id, user_id, role) VALUES (?, ?, ?)", projectId, userId, role);
    }
  }

  private void applyDesktop(Connection c, String projectId, Inventory.Desktop spec, String where) throws SQLException {
    if (spec.id() == null || !DesktopStore.ID.matcher(spec.id()).matches()) {
      throw new ConfigException(where + ": desktop id '" + spec.id()
          + "' must be 1-255 letters, digits, '-', '_' or '.'");
    }
    String at = where + " desktop " + spec.id();
    Optional<Desktop> existing = desktops.find(c, spec.id());
    if (existing.isPresent() && !existing.get().projectId().equals(projectId)) {
      throw new ConfigException(where + ": desktop " + spec.id() + " already belongs to project "
          + existing.get().projectId());
    }
    String provider = spec.provider() == null ? StaticProvider.NAME : spec.provider();
    if (spec.node() != null && !XvncProvider.NAME.equals(provider)) {
      throw new ConfigException(at + ": node applies to xvnc desktops only (other desktops have no owner node)");
    }
    Inventory.ConsoleEndpoint given = spec.console();
    Desktop.ConsoleEndpoint console;
    Desktop.Source source;
    switch (provider) {
      case StaticProvider.NAME -> {
        console = staticConsole(at, spec.id(), given, secrets, null);
        source = Desktop.Source.STATIC;
      }
      case XvncProvider.NAME -> {
        if (spec.product() == null || !xvncProducts.contains(spec.product())) {
          throw new ConfigException(at + ": provider xvnc needs a product of providers.xvnc.products " + xvncProducts);
        }
        console = existing.map(Desktop::console).orElseGet(() -> new Desktop.ConsoleEndpoint("127.0.0.1", 0,
            secrets.seal(Digests.randomPassword(8), Desktop.passwordSealContext(spec.id()))));
        if (spec.node() != null && !spec.node().matches("[A-Za-z0-9._-]{1,64}")) {
          throw new ConfigException(at + ": node must be a node.name (1-64 letters, digits, '.', '_' or '-')");
        }
        // pinned, else whoever owns it already, else the first node to apply the inventory: this one
        String owner = spec.node() != null ? spec.node() : existing.map(d -> d.source().ownerNode()).orElse(node);
        source = new Desktop.Source(XvncProvider.NAME, spec.product(), spec.id(), owner, null);
      }
      case LibvirtProvider.NAME -> {
        if (spec.libvirtDomain() == null || spec.libvirtDomain().isBlank()) {
          throw new ConfigException(at + ": provider libvirt needs libvirt_domain, the name of an existing domain");
        }
        Desktop.ConsoleEndpoint known = existing.map(Desktop::console)
            .orElse(new Desktop.ConsoleEndpoint("127.0.0.1", 0, null));
        // where it listens and its password come from the domain's XML; how to pass its security may be given
        console = given == null ? known : new Desktop.ConsoleEndpoint(known.host(), known.port(),
            known.passwordSealed(), security(at, given, true), blankToNull(given.username()), tls(at, given.tls()), null,
            null);
        source = new Desktop.Source(LibvirtProvider.NAME, spec.product(), spec.libvirtDomain(), null, libvirtUri);
      }
      default -> throw new ConfigException(at + ": provider must be static, xvnc or libvirt, got '" + provider + "'");
    }
    console = withPolicy(at, console, given);
    desktops.upsert(c, Desktop.registered(projectId, spec.id(),
        spec.computerName() == null ? spec.id() : spec.computerName(),
        spec.userName() == null ? "" : spec.userName(),
        list(spec.ipAddresses()), spec.metadata() == null ? Map.of() : spec.metadata(), console, source));
  }

  /**
   * A static desktop's VNC server as given (in the inventory or through the API), checked, with its
   * password sealed; without a password, {@code keptPassword} (sealed) stays. Throws a ConfigException
   * that names {@code at}.
   */
  public static Desktop.ConsoleEndpoint staticConsole(String at, String desktopId, Inventory.ConsoleEndpoint given,
                                                      SecretBox secrets, String keptPassword) {
    if (given == null || given.host() == null || given.host().isBlank() || given.host().length() > 255
        || given.port() == null || given.port() < 1 || given.port() > 65535) {
      throw new ConfigException(at + ": console needs a host and a port 1-65535");
    }
    String sealed = given.password() == null ? keptPassword : given.password().isEmpty()
        ? null : secrets.seal(given.password(), Desktop.passwordSealContext(desktopId));
    return new Desktop.ConsoleEndpoint(given.host(), given.port(), sealed,
        security(at, given, sealed != null), blankToNull(given.username()), tls(at, given.tls()), null, null);
  }

  /** {@code console} with the policy {@code given} sets (clipboard, viewers, recording), checked. */
  public static Desktop.ConsoleEndpoint withPolicy(String at, Desktop.ConsoleEndpoint console,
                                                   Inventory.ConsoleEndpoint given) {
    return console.withPolicy(policyValue(at + ": console.clipboard", given == null ? null : given.clipboard(),
        ConfigLoader.CLIPBOARD), policyValue(at + ": console.viewers", given == null ? null : given.viewers(),
        ConfigLoader.VIEWERS), policyValue(at + ": console.recording", given == null ? null : given.recording(),
        ConfigLoader.RECORDING));
  }

  /** A console policy value of the inventory: null when not given, else one of {@code allowed}. */
  static String policyValue(String what, String value, Set<String> allowed) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!allowed.contains(v)) {
      throw new ConfigException(what + " must be one of " + new TreeSet<>(allowed) + ", got '" + value + "'");
    }
    return v;
  }

  /** {@code passwordKnown}: the desktop has a password (static desktops); vnc security needs one. */
  private static SecurityMode security(String at, Inventory.ConsoleEndpoint endpoint, boolean passwordKnown) {
    SecurityMode mode = SecurityMode.parse(endpoint.security());
    if (mode == null) {
      throw new ConfigException(at + ": console.security must be auto, none, vnc or vencrypt, got '"
          + endpoint.security() + "'");
    }
    if (mode == SecurityMode.VNC && !passwordKnown) {
      throw new ConfigException(at + ": console.security vnc needs console.password");
    }
    return mode;
  }

  /** The TLS settings, with their files read once now so a wrong path or a bad PEM fails the start. */
  private static TlsSettings tls(String at, Inventory.ConsoleTls tls) {
    if (tls == null) {
      return TlsSettings.DEFAULT;
    }
    if ((tls.clientCertFile() == null) != (tls.clientKeyFile() == null)) {
      throw new ConfigException(at + ": console.tls needs both client_cert_file and client_key_file, or neither");
    }
    TlsSettings settings = new TlsSettings(blankToNull(tls.caFile()), blankToNull(tls.serverName()),
        blankToNull(tls.clientCertFile()), blankToNull(tls.clientKeyFile()), Boolean.TRUE.equals(tls.allowAnonymous()));
    try {
      DesktopTls.load(settings);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(at + ": console.tls: " + e.getMessage());
    }
    return settings;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void requireName(String name, String message) {
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException(message + " of 1-64 letters, digits, '.', '_' or '-' (got '" + name + "')");
    }
  }

  private static <T> List<T> list(List<T> maybe) {
    return maybe == null ? List.of() : maybe;
  }
}
