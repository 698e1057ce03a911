package io.deskgate.provider;

import io.deskgate.config.ConfigLoader;
import io.deskgate.store.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Linux desktop on this host: TigerVNC's {@code Xvnc} on a display and a loopback port, the
 * {@code openbox} window manager, and a command (an {@code xterm} by default) that openbox starts.
 * Used by the xvnc provider, by {@code ./deskgate --demo} and by the tests. With a password the VNC
 * server asks for VNC Authentication; without, for none.
 *
 * <p>A detached desktop runs in a session of its own ({@code setsid}), so it outlives Deskgate and
 * a Ctrl+C in Deskgate's terminal; {@link #adopt} takes it over again after a restart.
 */
public final class XvncDesktop implements AutoCloseable {

  /** In place of a certificate: anonymous TLS. */
  static final Path ANONYMOUS = Path.of("anonymous-tls");
  static final List<String> PROGRAMS = List.of("Xvnc", "vncpasswd", "openbox", "xterm", "setsid");
  public static final String DEFAULT_COMMAND = "xterm -geometry 100x30+40+40 -bg white -fg black "
      + "-fa 'DejaVu Sans Mono' -fs 12";

  /**
   * What to run: a 0 display or port picks a free one. With {@code tlsCert} and {@code tlsKey} the
   * server requires VeNCrypt X509 (X509Vnc with a password, X509None without). The VNC port listens on
   * {@code listenAddress} only.
   */
  public record Spec(String name, String password, String geometry, int depth, String command, int display,
                     int port, boolean detached, Path tlsCert, Path tlsKey, String listenAddress) {
    /** A throw-away desktop with an xterm on loopback, tied to this process (tests, the demo's first run). */
    public static Spec simple(String name, String password, String geometry) {
      return new Spec(name, password, geometry, 24, DEFAULT_COMMAND, 0, 0, false, null, null, LOOPBACK);
    }

    /** The same desktop, requiring anonymous TLS (VeNCrypt TLSVnc, TLSNone without a password): for tests. */
    public Spec withAnonymousTls() {
      return new Spec(name, password, geometry, depth, command, display, port, detached, ANONYMOUS, ANONYMOUS,
          listenAddress);
    }

    /** The same desktop, requiring TLS with this certificate and key. */
    public Spec withTls(Path cert, Path key) {
      return new Spec(name, password, geometry, depth, command, display, port, detached, cert, key, listenAddress);
    }
  }

  /**
   * Where desktops take their X display and VNC port ({@code providers.xvnc.displays} and
   * {@code .ports}): inclusive ranges; no port range means any free port.
   */
  public record Ranges(int firstDisplay, int lastDisplay, Integer firstPort, Integer lastPort) {
    public static final Ranges ANY = new Ranges(20, 999, null, null);

    /** From {@code providers.xvnc.displays} and {@code .ports} (checked when the config loads). */
    public static Ranges of(String displays, String ports) {
      int[] d = ConfigLoader.range(displays, 1, 9999, "providers.xvnc.displays");
      int[] p = ports == null || ports.isBlank() ? null : ConfigLoader.range(ports, 1, 65535, "providers.xvnc.ports");
      return new Ranges(d[0], d[1], p == null ? null : p[0], p == null ? null : p[1]);
    }

    boolean hasDisplay(int display) {
      return display >= firstDisplay && display <= lastDisplay;
    }

    boolean hasPort(int port) {
      return firstPort == null || port >= firstPort && port <= lastPort;
    }
  }

  /** Where desktops listen unless told otherwise: reachable from this host only. */
  public static final String LOOPBACK = "127.0.0.1";

  private final int display;
  private final int port;
  private final ProcessHandle xvnc;
  private final ProcessHandle windowManager;

  private XvncDesktop(int display, int port, ProcessHandle xvnc, ProcessHandle windowManager) {
    this.display = display;
    this.port = port;
    this.xvnc = xvnc;
    this.windowManager = windowManager;
  }

  /** The programs this needs that are not on the PATH. */
  public static List<String> missingPrograms() {
    List<String> missing = new ArrayList<>();
    for (String program : PROGRAMS) {
      if (which(program).isEmpty()) {
        missing.add(program);
      }
    }
    return missing;
  }

  public static XvncDesktop start(Path runDir, String name, String password, String geometry) throws IOException {
    return start(runDir, Spec.simple(name, password, geometry));
  }

  /**
   * Starts the desktop. {@code runDir} receives the password file and the programs' logs. Returns once
   * the VNC port accepts connections.
   */
  public static XvncDesktop start(Path runDir, Spec spec) throws IOException {
    return start(runDir, spec, Ranges.ANY, null);
  }

  /**
   * As {@link #start(Path, Spec)}, with the display and port taken within {@code ranges}, the processes
   * running as {@code user} (null: as this process).
   */
  static XvncDesktop start(Path dir, Spec spec, Ranges ranges, DesktopUser user) throws IOException {
    List<String> missing = missingPrograms();
    if (!missing.isEmpty()) {
      throw new IOException("missing programs " + missing + "; install them with: "
          + "sudo apt-get install -y tigervnc-standalone-server tigervnc-tools openbox xterm");
    }
    // absolute: Xvnc runs in it and reads its files by their full names
    Path runDir = PrivateFiles.createDirectories(dir);
    if (user != null && user.switched()) {
      ensureSocketDirectory();
    }
    // Displays and ports are picked while free and taken when Xvnc starts: one start at a time in this
    // process, and another try on another display when some other process took it in between.
    synchronized (XvncDesktop.class) {
      IOException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          return startOnce(runDir, spec, attempt == 0, ranges, user);
        } catch (DisplayTaken e) {
          last = e;
        }
      }
      throw last;
    }
  }

  /** Xvnc exited at once: most likely its display or port was taken by someone else. */
  private static final class DisplayTaken extends IOException {
    DisplayTaken(String message) {
      super(message);
    }
  }

  private static XvncDesktop startOnce(Path runDir, Spec spec, boolean wanted, Ranges ranges, DesktopUser user)
      throws IOException {
    int display = wanted && spec.display() > 0 && ranges.hasDisplay(spec.display()) && displayFree(spec.display())
        ? spec.display() : freeDisplay(ranges);
    InetAddress listen = InetAddress.getByName(spec.listenAddress());
    int port = wanted && spec.port() > 0 && ranges.hasPort(spec.port()) && portFree(listen, spec.port())
        ? spec.port() : freePort(listen, ranges);
    List<String> xvnc = new ArrayList<>(List.of("Xvnc", ":" + display, "-rfbport", String.valueOf(port),
        "-interface", spec.listenAddress(), "-nolisten", "tcp", "-geometry", spec.geometry(),
        // TigerVNC's blacklist stays on: Deskgate completes every handshake it starts with the right
        // credentials, so a browser that gives up midway no longer counts against Deskgate's address.
        "-depth", String.valueOf(spec.depth()), "-desktop", spec.name(), "-AlwaysShared"));
    String tls = spec.tlsCert() == null ? "" : spec.tlsCert() == ANONYMOUS ? "TLS" : "X509";
    ServerFiles files = new ServerFiles(user);
    if (spec.password() == null) {
      xvnc.addAll(List.of("-SecurityTypes", tls.isEmpty() ? "None" : tls + "None"));
    } else {
      Path passwordFile = runDir.resolve("vncpasswd");
      writePasswordFile(passwordFile, spec.password());
      xvnc.addAll(List.of("-SecurityTypes", tls.isEmpty() ? "VncAuth" : tls + "Vnc", "-PasswordFile",
          files.add(passwordFile)));
    }
    if (tls.equals("X509")) {
      xvnc.addAll(List.of("-X509Cert", files.add(spec.tlsCert()), "-X509Key", files.add(spec.tlsKey())));
    }
    // Xvnc works in its desktop's run directory, which names the desktop to whoever reads /proc/PID/cwd
    ProcessHandle server = spawn(runDir, "xvnc", files.command(xvnc), runDir, display, spec.detached(), user);
    try {
      waitForPort(server, listen, port);
      // openbox starts the command once it manages the screen: a window that maps while the window
      // manager is still starting can stay unmapped for many seconds.
      List<String> openbox = List.of("openbox", "--startup",
          spec.command() + (spec.command().startsWith("xterm") ? " -T '" + title(spec.name()) + "'" : ""));
      ProcessHandle wm = spawn(runDir, "openbox", user == null ? openbox : user.wrap(openbox),
          user == null ? runDir : user.workingDirectory(), display, spec.detached(), user);
      return new XvncDesktop(display, port, server, wm);
    } catch (IOException | RuntimeException e) {
      stop(server);
      throw e;
    }
  }

  /** Takes over a desktop started earlier, when its X server still runs as {@code xvncPid} on that display. */
  public static Optional<XvncDesktop> adopt(int display, int port, long xvncPid, long windowManagerPid) {
    // the pid must still be that X server (Xvnc is a link to Xtigervnc: compare the arguments)
    Optional<ProcessHandle> server = ProcessHandle.of(xvncPid).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().arguments().map(args -> args.length > 2 && args[0].equals(":" + display)
            && args[1].equals("-rfbport") && args[2].equals(String.valueOf(port))).orElse(false));
    if (server.isEmpty()) {
      return Optional.empty();
    }
    ProcessHandle wm = ProcessHandle.of(windowManagerPid).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("openbox")).orElse(false)).orElse(null);
    return Optional.of(new XvncDesktop(display, port, server.get(), wm));
  }

  public int port() {
    return port;
  }

  public int display() {
    return display;
  }

  public long xvncPid() {
    return xvnc.pid();
  }

  public long windowManagerPid() {
    return windowManager == null ? -1 : windowManager.pid();
  }

  private static String title(String name) {
    return name.replaceAll("[^A-Za-z0-9 ._-]", "_");
  }

  private static ProcessHandle spawn(Path runDir, String label, List<String> command, Path workDir, int display,
                                     boolean detached, DesktopUser user) throws IOException {
    List<String> argv = new ArrayList<>();
    if (detached) {
      argv.add("setsid");
    }
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve(label + ".log").toFile()));
    pb.directory(workDir.toFile());
    if (user == null) {
      pb.environment().put("DISPLAY", ":" + display);
    } else {
      pb.environment().clear();
      pb.environment().putAll(user.environment(display));
    }
    return pb.start().toHandle();
  }

  /**
   * The files Xvnc reads at every connection (its password file, its certificate and key). They stay in
   * the desktop's run directory, which a desktop user cannot reach: for a {@link DesktopUser#switched}
   * user a shell opens them before dropping to that user, and Xvnc reads them as {@code /dev/fd/N}, which
   * opens the file itself without walking its path. Each is made readable by the user's group.
   */
  private static final class ServerFiles {
    private static final int FIRST_FD = 3;
    private final DesktopUser user;
    private final List<Path> files = new ArrayList<>();

    ServerFiles(DesktopUser user) {
      this.user = user;
    }

    /** The name Xvnc is to read {@code file} by. */
    String add(Path file) throws IOException {
      if (user == null || !user.switched()) {
        return file.toString();
      }
      Files.setAttribute(file, "unix:gid", user.gid());
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
      files.add(file);
      return "/dev/fd/" + (FIRST_FD + files.size() - 1);
    }

    /** {@code xvnc} started with the files open and as the user. */
    List<String> command(List<String> xvnc) {
      if (files.isEmpty()) {
        return user == null ? xvnc : user.wrap(xvnc);
      }
      StringBuilder opens = new StringBuilder("exec");
      for (int i = 0; i < files.size(); i++) {
        opens.append(' ').append(FIRST_FD + i).append("<\"$").append(i + 1).append('"');
      }
      List<String> argv = new ArrayList<>(List.of("sh", "-c", opens + "; shift " + files.size() + "; exec \"$@\"",
          "xvnc-start"));
      files.forEach(f -> argv.add(f.toString()));
      argv.addAll(user.wrap(xvnc));
      return argv;
    }
  }

  private static void writePasswordFile(Path file, String password) throws IOException {
    Process p = new ProcessBuilder("vncpasswd", "-f").start();
    p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] obfuscated = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || obfuscated.length == 0) {
        throw new IOException("vncpasswd -f failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    PrivateFiles.replace(file, obfuscated);
  }

  private static void waitForPort(ProcessHandle server, InetAddress address, int port) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new DisplayTaken("Xvnc exited at start (see xvnc.log)");
      }
      try (Socket s = new Socket(address, port)) {
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException("Xvnc did not open port " + port + " within 15 s");
  }

  /**
   * X servers put their sockets in {@code /tmp/.X11-unix}; the first one to start makes it. Made by
   * Deskgate (root, sticky, writable by all, as X expects), it is not the desktop user's to tamper with.
   */
  private static void ensureSocketDirectory() throws IOException {
    Path dir = Path.of("/tmp/.X11-unix");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setAttribute(dir, "unix:mode", 01777);
    }
  }

  private static boolean displayFree(int n) {
    return !Files.exists(Path.of("/tmp/.X11-unix/X" + n)) && !Files.exists(Path.of("/tmp/.X" + n + "-lock"));
  }

  private static int freeDisplay(Ranges ranges) throws IOException {
    for (int n = ranges.firstDisplay(); n <= ranges.lastDisplay(); n++) {
      if (displayFree(n)) {
        return n;
      }
    }
    throw new IOException("no free X display number between :" + ranges.firstDisplay() + " and :"
        + ranges.lastDisplay() + " (providers.xvnc.displays)");
  }

  private static boolean portFree(InetAddress address, int port) {
    try (ServerSocket s = new ServerSocket(port, 1, address)) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int freePort(InetAddress address, Ranges ranges) throws IOException {
    if (ranges.firstPort() == null) {
      try (ServerSocket s = new ServerSocket(0, 1, address)) {
        return s.getLocalPort();
      }
    }
    for (int port = ranges.firstPort(); port <= ranges.lastPort(); port++) {
      if (portFree(address, port)) {
        return port;
      }
    }
    throw new IOException("no free VNC port between " + ranges.firstPort() + " and " + ranges.lastPort()
        + " (providers.xvnc.ports)");
  }

  static Optional<Path> which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(ProcessHandle p) {
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      p.onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception stillThere) {
      p.destroyForcibly();
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // nothing more can be done to a process that ignores SIGKILL
      }
    }
  }

  /** Stops the window manager (the command's X connection ends with the server), then the X server. */
  @Override
  public void close() {
    stop(windowManager);
    stop(xvnc);
  }
}
