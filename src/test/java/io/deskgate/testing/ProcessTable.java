package io.deskgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What runs on this host, read from the process table. */
public final class ProcessTable {

  private ProcessTable() {}

  /**
   * The argument lines of the Xvnc processes that serve the desktop, each followed by its working
   * directory (the desktop's run directory).
   */
  public static List<String> xvncOf(String desktopId) {
    return xvnc().map(ProcessTable::arguments).filter(args -> args.contains("/" + desktopId + "/")).toList();
  }

  /** Kills (SIGKILL) the Xvnc processes run in {@code path}: what a killed node left behind. */
  public static void killXvncUnder(String path) {
    xvnc().filter(p -> arguments(p).contains(path)).forEach(ProcessHandle::destroyForcibly);
  }

  private static Stream<ProcessHandle> xvnc() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/Xvnc") || c.endsWith("/Xtigervnc")).orElse(false));
  }

  private static String arguments(ProcessHandle p) {
    String cwd;
    try {
      cwd = Files.readSymbolicLink(Path.of("/proc", String.valueOf(p.pid()), "cwd")).toString();
    } catch (IOException gone) {
      cwd = "?";
    }
    return String.join(" ", p.info().arguments().orElse(new String[0])) + " cwd=" + cwd + "/";
  }
}
