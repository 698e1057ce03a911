package io.deskgate.desktop;

import io.deskgate.rfb.DesktopSecurity;
import io.deskgate.rfb.SecurityMode;
import io.deskgate.rfb.TlsSettings;
import java.util.List;
import java.util.Map;

/**
 * A desktop of a project, with where its console lives. The console endpoint (VNC host, port, sealed
 * password) is Deskgate's own admin data and never leaves through the Workspace API.
 */
public record Desktop(String id, String projectId, String computerName, String userName, String status,
                      String taskStatus, List<String> ipAddresses, Map<String, String> metadata,
                      ConsoleEndpoint console, Source source, long createdAt) {

  public static final String ACTIVE = "ACTIVE";
  public static final String SHUTOFF = "SHUTOFF";
  public static final String ERROR = "ERROR";
  public static final String DELETING = "DELETING";

  /**
   * Which provider runs the desktop ({@code static}, {@code xvnc}, {@code libvirt}), from which
   * product, under which name of the provider's ({@code ref}), on which node's host ({@code ownerNode},
   * null when no node owns it), behind which libvirt connection ({@code libvirtUri}, libvirt desktops).
   */
  public record Source(String provider, String product, String ref, String ownerNode, String libvirtUri) {
    public static final Source STATIC = new Source("static", null, null, null, null);
  }

  /** A desktop as first registered: running, no task, created now. */
  public static Desktop registered(String projectId, String id, String computerName, String userName,
                                   List<String> ipAddresses, Map<String, String> metadata, ConsoleEndpoint console,
                                   Source source) {
    return new Desktop(id, projectId, computerName, userName, ACTIVE, "", List.copyOf(ipAddresses),
        Map.copyOf(metadata), console, source, System.currentTimeMillis());
  }

  /**
   * Where the desktop's VNC server listens and how Deskgate passes its security: {@code passwordSealed}
   * is null when it has none; {@code username} is for VeNCrypt's Plain subtypes. {@code clipboard},
   * {@code viewers} and {@code recording} are the desktop's console policy, null where its project's applies.
   */
  public record ConsoleEndpoint(String host, int port, String passwordSealed, SecurityMode security, String username,
                                TlsSettings tls, String clipboard, String viewers, String recording) {

    public ConsoleEndpoint {
      security = security == null ? SecurityMode.AUTO : security;
      tls = tls == null ? TlsSettings.DEFAULT : tls;
    }

    /** An endpoint with security {@code auto}, no username, no TLS settings and its project's policy. */
    public ConsoleEndpoint(String host, int port, String passwordSealed) {
      this(host, port, passwordSealed, SecurityMode.AUTO, null, TlsSettings.DEFAULT, null, null, null);
    }

    /** An endpoint whose recording policy is its project's. */
    public ConsoleEndpoint(String host, int port, String passwordSealed, SecurityMode security, String username,
                           TlsSettings tls, String clipboard, String viewers) {
      this(host, port, passwordSealed, security, username, tls, clipboard, viewers, null);
    }

    /** What a handshake with the desktop needs, given its password in clear (null when none). */
    public DesktopSecurity credentials(String password) {
      return new DesktopSecurity(security, username, password, tls);
    }

    /** The same security, at another address (the desktop's VNC server moved). */
    public ConsoleEndpoint movedTo(String newHost, int newPort) {
      return new ConsoleEndpoint(newHost, newPort, passwordSealed, security, username, tls, clipboard, viewers,
          recording);
    }

    /** The same endpoint with another sealed VNC password. */
    public ConsoleEndpoint withPassword(String newPasswordSealed) {
      return new ConsoleEndpoint(host, port, newPasswordSealed, security, username, tls, clipboard, viewers, recording);
    }

    /** The same endpoint requiring VeNCrypt with these TLS settings (a provider set TLS up). */
    public ConsoleEndpoint withTls(TlsSettings newTls) {
      return new ConsoleEndpoint(host, port, passwordSealed, SecurityMode.VENCRYPT, username, newTls, clipboard,
          viewers, recording);
    }

    /** The same endpoint under another console policy. */
    public ConsoleEndpoint withPolicy(String newClipboard, String newViewers, String newRecording) {
      return new ConsoleEndpoint(host, port, passwordSealed, security, username, tls, newClipboard, newViewers,
          newRecording);
    }
  }

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
