package io.deskgate.rfb;

/**
 * What Deskgate needs to pass a desktop's VNC security: the mode, the credentials in clear (they
 * exist only in memory, for the handshake) and the TLS settings.
 */
public record DesktopSecurity(SecurityMode mode, String username, String password, TlsSettings tls) {

  public static final DesktopSecurity NONE = new DesktopSecurity(SecurityMode.AUTO, null, null, TlsSettings.DEFAULT);

  public DesktopSecurity {
    mode = mode == null ? SecurityMode.AUTO : mode;
    tls = tls == null ? TlsSettings.DEFAULT : tls;
  }

  boolean hasPassword() {
    return password != null && !password.isEmpty();
  }

  boolean hasUsername() {
    return username != null && !username.isEmpty();
  }
}
