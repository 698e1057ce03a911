package io.deskgate.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Linux desktop on this host: TigerVNC's {@code Xvnc} on a free display and a free loopback
 * port, the {@code openbox} window manager and an {@code xterm} it starts. Used by {@code ./deskgate --demo}
 * and by the tests. With a password the VNC server asks for VNC Authentication; without, it asks none.
 */
public final class XvncDesktop implements AutoCloseable {

  static final List<String> PROGRAMS = List.of("Xvnc", "vncpasswd", "openbox", "xterm");

  private final int display;
  private final int port;
  private final String password;
  private final List<Process> processes = new ArrayList<>();

  private XvncDesktop(int display, int port, String password) {
    this.display = display;
    this.port = port;
    this.password = password;
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

  /**
   * Starts the desktop; {@code password} may be null (no VNC security). {@code runDir} receives the
   * password file and the programs' logs. Returns once the VNC port accepts connections.
   */
  public static XvncDesktop start(Path runDir, String name, String password, String geometry) throws IOException {
    List<String> missing = missingPrograms();
    if (!missing.isEmpty()) {
      throw new IOException("missing programs " + missing + "; install them with: "
          + "sudo apt-get install -y tigervnc-standalone-server tigervnc-tools openbox xterm");
    }
    Files.createDirectories(runDir);
    int display = freeDisplay();
    XvncDesktop desktop = new XvncDesktop(display, freePort(), password);
    try {
      desktop.launch(runDir, name, geometry);
      return desktop;
    } catch (IOException | RuntimeException e) {
      desktop.close();
      throw e;
    }
  }

  private void launch(Path runDir, String name, String geometry) throws IOException {
    List<String> xvnc = new ArrayList<>(List.of("Xvnc", ":" + display, "-rfbport", String.valueOf(port),
        "-interface", "127.0.0.1", "-localhost", "-nolisten", "tcp", "-geometry", geometry, "-depth", "24",
        "-desktop", name, "-AlwaysShared",
        // Behind the proxy every connection comes from one address: TigerVNC's per-host blacklist
        // would lock every user out after a few abandoned handshakes. Deskgate's tokens guard access.
        "-UseBlacklist=0"));
    if (password == null) {
      xvnc.addAll(List.of("-SecurityTypes", "None"));
    } else {
      Path passwordFile = runDir.resolve("vncpasswd-" + display);
      writePasswordFile(passwordFile, password);
      xvnc.addAll(List.of("-SecurityTypes", "VncAuth", "-PasswordFile", passwordFile.toString()));
    }
    spawn(runDir, "xvnc", xvnc);
    waitForPort();
    // openbox starts the terminal once it manages the screen: an xterm that maps while the window
    // manager is still starting can stay unmapped for many seconds.
    String title = name.replaceAll("[^A-Za-z0-9 ._-]", "_");
    spawn(runDir, "openbox", List.of("openbox", "--startup",
        "xterm -geometry 100x30+40+40 -bg white -fg black -fa 'DejaVu Sans Mono' -fs 12 -T '" + title + "'"));
  }

  public int port() {
    return port;
  }

  public int display() {
    return display;
  }

  private void spawn(Path runDir, String label, List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(runDir.resolve(label + "-" + display + ".log").toFile());
    pb.environment().put("DISPLAY", ":" + display);
    processes.add(pb.start());
  }

  private static void writePasswordFile(Path file, String password) throws IOException {
    Process p = new ProcessBuilder("vncpasswd", "-f").redirectErrorStream(false).start();
    p.getOutputStream().write((password + "\n").getBytes());
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
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, obfuscated);
  }

  private void waitForPort() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      Process xvnc = processes.get(0);
      if (!xvnc.isAlive()) {
        throw new IOException("Xvnc exited with status " + xvnc.exitValue() + " (see its log)");
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException("Xvnc did not open port " + port + " within 15 s");
  }

  private static int freeDisplay() throws IOException {
    for (int n = 20; n < 200; n++) {
      if (!Files.exists(Path.of("/tmp/.X11-unix/X" + n)) && !Files.exists(Path.of("/tmp/.X" + n + "-lock"))) {
        return n;
      }
    }
    throw new IOException("no free X display number between :20 and :199");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
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

  /** Stops the window manager (and with it the terminal) first, the X server last. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }
}
