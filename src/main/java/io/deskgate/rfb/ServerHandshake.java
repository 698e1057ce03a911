package io.deskgate.rfb;

import java.nio.charset.StandardCharsets;

/**
 * Deskgate as the browser's RFB server, from its version banner to ServerInit, without I/O. It offers
 * RFB 3.8 (and takes 3.3 and 3.7 clients) with security None only: the one-time console token has
 * already authenticated the user, and no credential of the desktop's ever reaches the page. ServerInit
 * is the desktop's own, named as Deskgate chooses.
 */
public final class ServerHandshake {

  public enum Outcome { PENDING, READY, FAILED }

  private enum State { VERSION, SECURITY_CHOICE, CLIENT_INIT, DONE }

  public static final byte[] GREETING = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOTHING = new byte[0];

  private final byte[] serverInit;
  private State state = State.VERSION;
  private final byte[] version = new byte[12];
  private int versionRead;
  private int minor;
  private Outcome outcome = Outcome.PENDING;
  private String detail = "";
  private boolean shared;

  /** {@code serverInit}: the ServerInit message to answer ClientInit with. */
  public ServerHandshake(byte[] serverInit) {
    this.serverInit = serverInit.clone();
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Why it failed, for the log. */
  public String detail() {
    return detail;
  }

  /** The client's ClientInit shared flag. */
  public boolean shared() {
    return shared;
  }

  /** Takes bytes from the browser; returns what to send it and how many bytes were used. */
  public ClientHandshake.Step feed(byte[] data, int offset, int length) {
    byte[] out = NOTHING;
    int at = offset;
    int end = offset + length;
    while (outcome == Outcome.PENDING && at < end) {
      switch (state) {
        case VERSION -> {
          int take = Math.min(version.length - versionRead, end - at);
          System.arraycopy(data, at, version, versionRead, take);
          versionRead += take;
          at += take;
          if (versionRead == version.length) {
            out = ClientHandshake.concat(out, version());
          }
        }
        case SECURITY_CHOICE -> out = ClientHandshake.concat(out, securityChoice(data[at++] & 0xff));
        case CLIENT_INIT -> {
          shared = data[at++] != 0;
          state = State.DONE;
          outcome = Outcome.READY;
          out = ClientHandshake.concat(out, serverInit);
        }
        default -> at = end;
      }
    }
    return new ClientHandshake.Step(out, at - offset);
  }

  private byte[] version() {
    String banner = new String(version, StandardCharsets.US_ASCII);
    if (!banner.matches("RFB 003\\.\\d{3}\n")) {
      return fail("the client's version banner is not RFB 3.x (\"" + ClientHandshake.printable(version) + "\")");
    }
    int clientMinor = Integer.parseInt(banner.substring(8, 11));
    minor = clientMinor >= 8 ? 8 : clientMinor == 7 ? 7 : 3;
    if (minor == 3) {
      state = State.CLIENT_INIT;
      return ClientHandshake.u32Bytes(ClientHandshake.NONE);
    }
    state = State.SECURITY_CHOICE;
    return new byte[] {1, ClientHandshake.NONE};
  }

  private byte[] securityChoice(int type) {
    if (type != ClientHandshake.NONE) {
      fail("the client chose security type " + type + "; only None (1) is offered");
      if (minor < 8) {
        return ClientHandshake.u32Bytes(1);
      }
      byte[] reason = "Only security type None is offered".getBytes(StandardCharsets.US_ASCII);
      return ClientHandshake.concat(ClientHandshake.concat(ClientHandshake.u32Bytes(1),
          ClientHandshake.u32Bytes(reason.length)), reason);
    }
    state = State.CLIENT_INIT;
    return minor >= 8 ? ClientHandshake.u32Bytes(0) : NOTHING;
  }

  private byte[] fail(String why) {
    outcome = Outcome.FAILED;
    detail = why;
    state = State.DONE;
    return NOTHING;
  }
}
