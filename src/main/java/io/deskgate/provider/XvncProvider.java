package io.deskgate.provider;

import io.deskgate.auth.Digests;
import io.deskgate.config.Config;
import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.TlsSettings;
import io.deskgate.store.PrivateFiles;
import io.deskgate.store.SecretBox;
import io.deskgate.web.DesktopCa;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux desktops Deskgate runs itself on this host ({@link XvncDesktop}: TigerVNC on loopback with a
 * generated VNC password, openbox, and the product's command). Each desktop has a directory under
 * {@code providers.xvnc.run_dir} with its password file, logs and {@code state.json} (display, port,
 * process ids), from which a restarted Deskgate adopts what still runs. The processes run in sessions of
 * their own, so they outlive Deskgate.
 */
public final class XvncProvider implements DesktopProvider {

  public static final String NAME = "xvnc";
  private static final Logger log = LoggerFactory.getLogger(XvncProvider.class);
  /** Where, under the run directory, Deskgate's CA for its xvnc desktops lives (with {@code security: x509}). */
  static final String CA_DIR = "ca";

  private final Config.Xvnc config;
  private final Path runDir;
  private final SecretBox secrets;

  private final XvncDesktop.Ranges ranges;
  private DesktopUser desktopUser;

  public XvncProvider(Config.Xvnc config, SecretBox secrets) {
    this.config = config;
    this.ranges = XvncDesktop.Ranges.of(config.displays(), config.ports());
    this.runDir = Path.of(config.runDir()).toAbsolutePath();
    this.secrets = secrets;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Whether a desktop whose processes died is started again ({@code providers.xvnc.restart}). */
  public boolean restartsCrashed() {
    return "always".equals(config.restart());
  }

  @Override
  public Machine create(String desktopId, String product, String computerName) throws ProviderException {
    Config.XvncProduct p = product(product);
    String password = Digests.randomPassword(8);
    XvncDesktop desktop = launch(desktopId, computerName, password, p, 0, 0);
    return machine(desktopId, desktop.port(), password);
  }

  @Override
  public Machine start(Desktop desktop) throws ProviderException {
    Optional<XvncDesktop> running = adopt(desktop.id());
    if (running.isPresent()) {
      return machine(desktop.id(), running.get().port(), null);
    }
    JsonObject state = state(desktop.id()).orElse(new JsonObject());
    String password = desktop.console().passwordSealed() == null ? null
        : secrets.open(desktop.console().passwordSealed(), Desktop.passwordSealContext(desktop.id()));
    XvncDesktop started = launch(desktop.id(), desktop.computerName(), password, product(desktop.source().product()),
        state.getInteger("display", 0), state.getInteger("port", desktop.console().port()));
    return machine(desktop.id(), started.port(), null);
  }

  @Override
  public void stop(Desktop desktop, boolean hard) {
    adopt(desktop.id()).ifPresent(XvncDesktop::close);
  }

  @Override
  public Machine reboot(Desktop desktop, boolean hard) throws ProviderException {
    stop(desktop, hard);
    return start(desktop);
  }

  @Override
  public void delete(Desktop desktop) throws ProviderException {
    stop(desktop, true);
    removeRunDir(desktop.id());
  }

  @Override
  public Observation observe(Desktop desktop) {
    return adopt(desktop.id())
        .map(d -> new Observation(Power.RUNNING, machine(desktop.id(), d.port(), null), "Xvnc :" + d.display()))
        .orElse(new Observation(Power.STOPPED, null, "Xvnc is not running"));
  }

  /** Whether this host has a run directory (and maybe processes) of the desktop. */
  public boolean holds(String desktopId) {
    return !desktopId.equals(CA_DIR) && Files.isDirectory(runDir.resolve(desktopId));
  }

  /** Stops what runs here for the desktop and removes its run directory. */
  public void release(String desktopId, String why) {
    adopt(desktopId).ifPresent(XvncDesktop::close);
    try {
      removeRunDir(desktopId);
      log.info("xvnc: stopped and removed desktop {} on this node: {}", desktopId, why);
    } catch (ProviderException e) {
      log.warn("xvnc: cannot remove desktop {} on this node: {}", desktopId, e.getMessage());
    }
  }

  /**
   * Stops and removes what runs for desktops this node no longer owns (deleted while it was down, or
   * owned by another node now).
   */
  public void removeOrphans(Set<String> knownDesktopIds) {
    if (!Files.isDirectory(runDir)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(runDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        String id = dir.getFileName().toString();
        if (!knownDesktopIds.contains(id) && !id.equals(CA_DIR)) {
          release(id, "not a desktop of this node");
        }
      }
    } catch (IOException e) {
      log.warn("xvnc: cannot look for orphaned desktops in {}: {}", runDir, e.getMessage());
    }
  }

  private Machine machine(String desktopId, int port, String password) {
    return new Machine(desktopId, config.listenAddress(), port, password, x509()
        ? new TlsSettings(runDir.resolve(CA_DIR).resolve("ca.pem").toString(), config.listenAddress(), null, null, false)
        : null);
  }

  private boolean x509() {
    return "x509".equals(config.security());
  }

  private XvncDesktop launch(String desktopId, String name, String password, Config.XvncProduct product,
                             int display, int port) throws ProviderException {
    try {
      // Deskgate's alone, even where the directory above is open to all: a desktop's user cannot walk in
      PrivateFiles.ownDirectory(runDir);
      Path dir = PrivateFiles.ownDirectory(runDir.resolve(desktopId));
      XvncDesktop.Spec spec = new XvncDesktop.Spec(name, password, product.geometry(), product.depth(),
          product.command(), display, port, true, null, null, config.listenAddress());
      if (x509()) {
        // a fresh certificate at every start, from Deskgate's own CA: only Deskgate trusts it
        Path cert = dir.resolve("tls.pem");
        Path key = dir.resolve("tls.key");
        DesktopCa.loadOrCreate(runDir.resolve(CA_DIR), "Deskgate xvnc desktops").issue(cert, key,
            java.util.stream.Stream.of(config.listenAddress(), "127.0.0.1", "localhost").distinct().toList());
        spec = spec.withTls(cert, key);
      }
      XvncDesktop desktop = XvncDesktop.start(dir, spec, ranges, desktopUser());
      Files.writeString(dir.resolve("state.json"), new JsonObject()
          .put("display", desktop.display()).put("port", desktop.port())
          .put("xvnc_pid", desktop.xvncPid()).put("wm_pid", desktop.windowManagerPid()).encodePrettily());
      log.info("xvnc: desktop {} runs on display :{}, VNC port {}", desktopId, desktop.display(), desktop.port());
      return desktop;
    } catch (IOException | GeneralSecurityException e) {
      throw new ProviderException("cannot start the desktop's Xvnc: " + e.getMessage());
    }
  }

  /** The user desktops run as, looked up (and made, when needed) at the first start and kept. */
  private synchronized DesktopUser desktopUser() throws ProviderException {
    if (desktopUser == null) {
      desktopUser = DesktopUser.resolve(config.runAs());
      if (desktopUser.switched()) {
        log.info("xvnc: desktops run as user {} (uid {})", desktopUser.name(), desktopUser.uid());
      }
    }
    if (!desktopUser.switched()) {
      log.warn("xvnc: desktops run as Deskgate's own user {}: whoever uses one can read Deskgate's files "
          + "(run Deskgate as root to give them a user of their own, providers.xvnc.run_as)", desktopUser.name());
    }
    return desktopUser;
  }

  private Optional<XvncDesktop> adopt(String desktopId) {
    return state(desktopId).flatMap(s -> XvncDesktop.adopt(s.getInteger("display", -1), s.getInteger("port", -1),
        s.getLong("xvnc_pid", -1L), s.getLong("wm_pid", -1L)));
  }

  private Optional<JsonObject> state(String desktopId) {
    Path file = runDir.resolve(desktopId).resolve("state.json");
    try {
      return Files.isRegularFile(file) ? Optional.of(new JsonObject(Files.readString(file))) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      log.warn("xvnc: unreadable {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  private Config.XvncProduct product(String name) throws ProviderException {
    Config.XvncProduct p = name == null ? null : config.products().get(name);
    if (p == null) {
      throw ProviderException.unknownProduct(NAME, name, config.products().keySet());
    }
    return p;
  }

  private void removeRunDir(String desktopId) throws ProviderException {
    Path dir = runDir.resolve(desktopId);
    if (!dir.normalize().startsWith(runDir.normalize()) || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new ProviderException("cannot remove " + dir + ": " + e.getMessage());
    }
  }
}
