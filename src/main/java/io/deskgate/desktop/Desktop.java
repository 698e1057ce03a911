package io.deskgate.desktop;

/**
 * A desktop of a project, with where its console lives. The console endpoint (VNC host, port, sealed
 * password) is Deskgate's own admin data and never leaves through the Workspace API.
 */
public record Desktop(String id, String projectId, String computerName, String userName, String status,
                      String taskStatus, ConsoleEndpoint console, long createdAt) {

  public static final String ACTIVE = "ACTIVE";
  public static final String SHUTOFF = "SHUTOFF";

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
