package io.deskgate.provider;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The Unix user a Deskgate-run desktop's processes run as ({@code providers.xvnc.run_as}), from its
 * passwd entry. {@link #switched} users are not Deskgate's own: their processes start through
 * {@code setpriv}, so nothing typed at the desktop runs with Deskgate's rights.
 */
public record DesktopUser(String name, int uid, int gid, String home, String shell, boolean switched) {

  private static final String PATH = "/usr/local/bin:/usr/bin:/bin";

  /**
   * Who this process runs as, and its effective capabilities (the bits of {@code CapEff} in
   * {@code /proc/self/status}; -1 where unknown).
   */
  record Self(String name, long uid, long capabilities) {
    /** CAP_CHOWN (0), CAP_KILL (5), CAP_SETGID (6), CAP_SETUID (7): give the files, stop, switch. */
    static final long NEEDED = 1L | 1L << 5 | 1L << 6 | 1L << 7;

    static Self current() {
      UnixSystem unix = new UnixSystem();
      long caps = -1;
      try {
        caps = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
            .map(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).trim(), 16)).findFirst().orElse(-1L);
      } catch (IOException | RuntimeException unknown) {
        // not Linux's /proc: assume root holds its usual capabilities
      }
      return new Self(unix.getUsername(), unix.getUid(), caps);
    }

    boolean root() {
      return uid == 0;
    }

    boolean canSwitchUsers() {
      return capabilities == -1 || (capabilities & NEEDED) == NEEDED;
    }
  }

  /**
   * The user named {@code runAs}, created first (when this process is root and it is missing) by
   * {@code create}. Fails with a message an operator can act on when the desktops cannot run as it.
   */
  static DesktopUser resolve(String runAs, Self self, Function<String, Optional<String>> passwd,
                             Function<String, String> create) throws ProviderException {
    if (!self.root()) {
      if (!runAs.equals(self.name())) {
        throw new ProviderException("providers.xvnc.run_as: Deskgate runs as '" + self.name()
            + "', not root, so it cannot start desktops as '" + runAs + "'. Run Deskgate as root to give the "
            + "desktops a user of their own, or set providers.xvnc.run_as: " + self.name()
            + " (then whoever uses a desktop can read all Deskgate's files)");
      }
      return parse(passwd.apply(runAs).orElseThrow(() ->
          new ProviderException("providers.xvnc.run_as: no passwd entry for '" + runAs + "'")), false);
    }
    if (!self.canSwitchUsers()) {
      throw new ProviderException("providers.xvnc.run_as: Deskgate runs as root without the capabilities to run "
          + "desktops as '" + runAs + "' (CAP_SETUID, CAP_SETGID, CAP_KILL and CAP_CHOWN); under systemd, give them "
          + "in CapabilityBoundingSet (packaging/systemd/xvnc-desktops.conf)");
    }
    Optional<String> entry = passwd.apply(runAs);
    if (entry.isEmpty()) {
      String failure = create.apply(runAs);
      entry = passwd.apply(runAs);
      if (entry.isEmpty()) {
        throw new ProviderException("providers.xvnc.run_as: the user '" + runAs + "' does not exist and could not "
            + "be created (" + failure + "). Create it (useradd --system --user-group --create-home --shell /bin/bash "
            + runAs + ") or name an existing unprivileged user");
      }
    }
    DesktopUser user = parse(entry.get(), true);
    if (user.uid() == 0 || user.gid() == 0) {
      throw new ProviderException("providers.xvnc.run_as: '" + runAs + "' has user or group id 0; desktops must "
          + "run as an unprivileged user");
    }
    return user;
  }

  /** From a line of {@code getent passwd}: {@code name:x:uid:gid:gecos:home:shell}. */
  static DesktopUser parse(String line, boolean switched) throws ProviderException {
    String[] f = line.strip().split(":", -1);
    if (f.length != 7) {
      throw new ProviderException("providers.xvnc.run_as: unexpected passwd entry '" + line.strip() + "'");
    }
    try {
      return new DesktopUser(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5],
          f[6].isEmpty() ? "/bin/sh" : f[6], switched);
    } catch (NumberFormatException e) {
      throw new ProviderException("providers.xvnc.run_as: unexpected passwd entry '" + line.strip() + "'");
    }
  }

  /** The user, looked up in the system's user database and created by {@code useradd} when root needs it. */
  static DesktopUser resolve(String runAs) throws ProviderException {
    return resolve(runAs, Self.current(), DesktopUser::passwdEntry, DesktopUser::useradd);
  }

  /** {@code command} as it is started: through {@code setpriv} as this user when {@link #switched}. */
  List<String> wrap(List<String> command) {
    if (!switched) {
      return command;
    }
    List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid,
        "--init-groups", "--no-new-privs", "--"));
    argv.addAll(command);
    return argv;
  }

  /**
   * The whole environment of the desktop's processes: none of Deskgate's own (which may carry
   * {@code DESKGATE_*} secrets), only what a login of the user would have and the display.
   */
  Map<String, String> environment(int display) {
    String lang = System.getenv().getOrDefault("LANG", "C.UTF-8");
    return Map.of("PATH", PATH, "HOME", home, "USER", name, "LOGNAME", name, "SHELL", shell, "LANG", lang,
        "DISPLAY", ":" + display);
  }

  /** Where the desktop's programs start: the user's home, or {@code /} when it has none. */
  Path workingDirectory() {
    Path dir = Path.of(home);
    return Files.isDirectory(dir) ? dir : Path.of("/");
  }

  private static Optional<String> passwdEntry(String name) {
    try {
      Process p = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return p.exitValue() == 0 && !out.isBlank() ? Optional.of(out.lines().findFirst().orElse("")) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Makes the system user; what went wrong, or an empty string. */
  private static String useradd(String name) {
    try {
      Process p = new ProcessBuilder("useradd", "--system", "--user-group", "--create-home", "--shell", "/bin/bash",
          "--comment", "Deskgate desktops", name).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "useradd did not finish within 30 s";
      }
      return p.exitValue() == 0 ? "" : "useradd exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
    } catch (IOException e) {
      return "cannot run useradd: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
