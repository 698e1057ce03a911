package io.deskgate.testing;

import java.util.List;
import java.util.stream.Stream;

/** What runs on this host, read from the process table. */
public final class ProcessTable {

  private ProcessTable() {}

  /** The argument lines of the Xvnc processes that serve the desktop (its run directory is in them). */
  public static List<String> xvncOf(String desktopId) {
    return xvnc().map(ProcessTable::arguments).filter(args -> args.contains("/" + desktopId + "/")).toList();
  }

  /** Kills (SIGKILL) the Xvnc processes whose arguments mention {@code path}: what a killed node left behind. */
  public static void killXvncUnder(String path) {
    xvnc().filter(p -> arguments(p).contains(path)).forEach(ProcessHandle::destroyForcibly);
  }

  private static Stream<ProcessHandle> xvnc() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/Xvnc") || c.endsWith("/Xtigervnc")).orElse(false));
  }

  private static String arguments(ProcessHandle p) {
    return String.join(" ", p.info().arguments().orElse(new String[0]));
  }
}
