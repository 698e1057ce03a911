package io.deskgate.proxy;

/**
 * Why a console WebSocket ends, with the close code and text the browser receives. Codes 4000-4999
 * are ours (RFC 6455 leaves them to applications); the console page turns each into a message in the
 * user's language.
 */
public enum CloseReason {
  TOKEN_REFUSED((short) 4401, "console link expired, already used or unknown"),
  DESKTOP_NOT_RUNNING((short) 4409, "desktop is not running"),
  DESKTOP_STOPPED((short) 4410, "desktop stopped"),
  DESKTOP_UNREACHABLE((short) 4502, "desktop unreachable"),
  STORE_UNAVAILABLE((short) 4503, "service temporarily unavailable"),
  DESKTOP_SILENT((short) 4504, "desktop did not complete the RFB handshake in time"),
  DESKTOP_NOT_VNC((short) 4505, "desktop is not a VNC server"),
  DESKTOP_CREDENTIALS_REFUSED((short) 4506, "desktop refused Deskgate's credentials"),
  DESKTOP_CERTIFICATE_UNTRUSTED((short) 4507, "desktop's certificate is not trusted"),
  DESKTOP_CERTIFICATE_MISMATCH((short) 4508, "desktop's certificate is for another name"),
  DESKTOP_NO_COMMON_SECURITY((short) 4509, "no security type in common with the desktop"),
  DESKTOP_TLS_FAILED((short) 4510, "TLS with the desktop failed"),
  DESKTOP_REFUSED((short) 4511, "desktop refused the connection"),
  DESKTOP_PROTOCOL_ERROR((short) 4512, "desktop broke the RFB protocol"),
  CONSOLE_BUSY((short) 4423, "another console is open on this desktop"),
  TAKEN_OVER((short) 4424, "another console took over this desktop"),
  ENDED_BY_ADMIN((short) 4411, "an administrator ended this console"),
  RECORDING_FAILED((short) 4513, "this console must be recorded and the recording failed"),
  BROWSER_RFB_ERROR((short) 4400, "browser broke the RFB protocol"),
  IDLE((short) 4408, "closed after inactivity"),
  THROTTLED((short) 4429, "too many console links tried, retry later"),
  SHUTDOWN((short) 1001, "server shutting down"),
  BROWSER_PROTOCOL_ERROR((short) 1002, "WebSocket protocol error"),
  BROWSER_SENT_TEXT((short) 1003, "only binary frames are accepted"),
  BROWSER_PING_FLOOD((short) 1008, "too many pings"),
  BROWSER_MESSAGE_TOO_BIG((short) 1009, "message too big"),
  DESKTOP_CLOSED((short) 1000, "desktop closed the connection"),
  BROWSER_CLOSED((short) 1000, "browser closed the connection"),
  INTERNAL((short) 1011, "internal error");

  private final short code;
  private final String text;

  CloseReason(short code, String text) {
    this.code = code;
    this.text = text;
  }

  public short code() {
    return code;
  }

  public String text() {
    return text;
  }

  /** For metrics and logs. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
