package io.deskgate.desktop;

import java.util.List;
import java.util.Map;

/**
 * A desktop of a project, with where its console lives. The console endpoint (VNC host, port, sealed
 * password) is Deskgate's own admin data and never leaves through the Workspace API.
 */
public record Desktop(String id, String projectId, String computerName, String userName, String status,
                      String taskStatus, List<String> ipAddresses, Map<String, String> metadata,
                      ConsoleEndpoint console, long createdAt) {

  public static final String ACTIVE = "ACTIVE";
  public static final String SHUTOFF = "SHUTOFF";

  /** A desktop as first registered: running, no task, created now. */
  public static Desktop registered(String projectId, String id, String computerName, String userName,
                                   List<String> ipAddresses, Map<String, String> metadata, ConsoleEndpoint console) {
    return new Desktop(id, projectId, computerName, userName, ACTIVE, "", List.copyOf(ipAddresses),
        Map.copyOf(metadata), console, System.currentTimeMillis());
  }

  /** Where the desktop's VNC server listens; {@code passwordSealed} is null when it has none. */
  public record ConsoleEndpoint(String host, int port, String passwordSealed) {}

  /** A console can be opened only on a running desktop with no task in progress. */
  public boolean acceptsConsoles() {
    return ACTIVE.equals(status) && taskStatus.isEmpty();
  }

  /** The state named in a 409: the task in progress, else the status. */
  public String stateForConflict() {
    return taskStatus.isEmpty() ? status : taskStatus;
  }

  /** The context the VNC password is sealed under, bound to this desktop. */
  public static String passwordSealContext(String desktopId) {
    return "desktop-console-password:" + desktopId;
  }
}
