package io.deskgate.rfb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Deskgate as a desktop's RFB client, driven byte by byte by scripted servers: no sockets, no clock. */
class ClientHandshakeTest {

  static final byte[] PIXELS_32 = {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0};

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] u32(long v) {
    return ByteBuffer.allocate(4).putInt((int) v).array();
  }

  static byte[] serverInit(String name) {
    ByteBuffer b = ByteBuffer.allocate(24 + name.length());
    b.putShort((short) 640).putShort((short) 480).put(PIXELS_32).putInt(name.length()).put(ascii(name));
    return b.array();
  }

  static DesktopSecurity security(SecurityMode mode, String username, String password, TlsSettings tls) {
    return new DesktopSecurity(mode, username, password, tls);
  }

  static ClientHandshake client(String password) {
    return new ClientHandshake(security(SecurityMode.AUTO, null, password, null));
  }

  static byte[] feed(ClientHandshake hs, byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      out.writeBytes(hs.feed(c, 0, c.length).reply());
    }
    return out.toByteArray();
  }

  /** The same bytes one at a time, as a dripping server would send them. */
  static byte[] drip(ClientHandshake hs, byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      for (int i = 0; i < c.length; i++) {
        out.writeBytes(hs.feed(c, i, 1).reply());
      }
    }
    return out.toByteArray();
  }

  @Test
  void rfb38WithNoneGoesToServerInitAndLeavesWhatFollowsUnread() {
    ClientHandshake hs = client(null);
    assertThat(feed(hs, ascii("RFB 003.008\n"))).isEqualTo(ascii("RFB 003.008\n"));
    assertThat(feed(hs, new byte[] {2, 1, 2})).isEqualTo(new byte[] {1});
    assertThat(feed(hs, u32(0))).as("ClientInit, shared").isEqualTo(new byte[] {1});
    assertThat(hs.outcome()).isEqualTo(ClientHandshake.Outcome.PENDING);
    byte[] init = serverInit("desk-A");
    byte[] withBell = ByteBuffer.allocate(init.length + 1).put(init).put((byte) 2).array();
    ClientHandshake.Step last = hs.feed(withBell, 0, withBell.length);
    assertThat(last.consumed()).as("the Bell after ServerInit is not the handshake's").isEqualTo(init.length);
    assertThat(hs.outcome()).isEqualTo(ClientHandshake.Outcome.READY);
    assertThat(hs.serverInit().name()).isEqualTo("desk-A");
    assertThat(hs.serverInit().width()).isEqualTo(640);
    assertThat(hs.serverInit().pixelFormat().bitsPerPixel()).isEqualTo(32);
    assertThat(hs.serverInit().encode("desk-A")).isEqualTo(init);
  }

  @Test
  void rfb38WithVncAuthAnswersTheChallengeWithThePassword() {
    byte[] challenge = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    ClientHandshake hs = client("secret1");
    drip(hs, ascii("RFB 003.008\n"));
    assertThat(drip(hs, new byte[] {2, 1, 2})).as("VncAuth is stronger than None").isEqualTo(new byte[] {2});
    assertThat(drip(hs, challenge)).isEqualTo(VncAuth.response(challenge, "secret1"));
    assertThat(drip(hs, u32(0))).isEqualTo(new byte[] {1});
    drip(hs, serverInit("x"));
    assertThat(hs.outcome()).isEqualTo(ClientHandshake.Outcome.READY);
    assertThat(hs.securityUsed()).isEqualTo(ClientHandshake.VNC_AUTH);
  }

  @Test
  void rfb37And33AndUnknownMinorVersions() {
    ClientHandshake v37 = client(null);
    feed(v37, ascii("RFB 003.007\n"));
    assertThat(feed(v37, new byte[] {1, 1})).as("3.7 has no SecurityResult for None").isEqualTo(new byte[] {1, 1});
    feed(v37, serverInit(""));
    assertThat(v37.outcome()).isEqualTo(ClientHandshake.Outcome.READY);

    ClientHandshake v33 = client(null);
    assertThat(feed(v33, ascii("RFB 003.005\n"))).isEqualTo(ascii("RFB 003.003\n"));
    assertThat(feed(v33, u32(1))).isEqualTo(new byte[] {1});
    feed(v33, serverInit("old"));
    assertThat(v33.outcome()).isEqualTo(ClientHandshake.Outcome.READY);

    ClientHandshake v33auth = client("pw");
    feed(v33auth, ascii("RFB 003.003\n"));
    assertThat(feed(v33auth, u32(2), new byte[16])).hasSize(16);
    feed(v33auth, u32(1));
    assertThat(v33auth.failure()).as("3.3 gives no reason").isEqualTo(ClientHandshake.Failure.CREDENTIALS_REFUSED);

    assertThat(feed(client(null), ascii("RFB 003.889\n"))).isEqualTo(ascii("RFB 003.008\n"));
  }

  @Test
  void aBlacklistingServerIsARefusedConnectionWithItsReason() {
    ClientHandshake hs = client(null);
    feed(hs, ascii("RFB 003.003\n"), u32(0), u32(26), ascii("Too many security failures"));
    assertThat(hs.failure()).isEqualTo(ClientHandshake.Failure.CONNECTION_REFUSED);
    assertThat(hs.detail()).isEqualTo("the server refused the connection: Too many security failures");
    ClientHandshake v38 = client(null);
    feed(v38, ascii("RFB 003.008\n"), new byte[] {0}, u32(4), ascii("busy"));
    assertThat(v38.failure()).isEqualTo(ClientHandshake.Failure.CONNECTION_REFUSED);
  }

  @Test
  void aWrongPasswordIsRefusedCredentials() {
    ClientHandshake hs = client("wrong");
    feed(hs, ascii("RFB 003.008\n"), new byte[] {1, 2}, new byte[16], u32(1), u32(21), ascii("Authentication failed"));
    assertThat(hs.outcome()).isEqualTo(ClientHandshake.Outcome.FAILED);
    assertThat(hs.failure()).isEqualTo(ClientHandshake.Failure.CREDENTIALS_REFUSED);
    assertThat(hs.detail()).contains("refused the credentials: Authentication failed");
  }

  @Test
  void securityTheConfigDoesNotAllowIsNoCommonSecurity() {
    ClientHandshake noPassword = client(null);
    feed(noPassword, ascii("RFB 003.008\n"), new byte[] {1, 2});
    assertThat(noPassword.failure()).isEqualTo(ClientHandshake.Failure.NO_COMMON_SECURITY);
    assertThat(noPassword.detail()).contains("no password");

    ClientHandshake onlyNone = new ClientHandshake(security(SecurityMode.NONE, null, "pw", null));
    feed(onlyNone, ascii("RFB 003.008\n"), new byte[] {1, 2});
    assertThat(onlyNone.failure()).isEqualTo(ClientHandshake.Failure.NO_COMMON_SECURITY);

    ClientHandshake mustBeVnc = new ClientHandshake(security(SecurityMode.VNC, null, "pw", null));
    feed(mustBeVnc, ascii("RFB 003.003\n"), u32(1));
    assertThat(mustBeVnc.failure()).as("a 3.3 server imposing None on a vnc-only desktop")
        .isEqualTo(ClientHandshake.Failure.NO_COMMON_SECURITY);

    ClientHandshake v33Unknown = client("pw");
    feed(v33Unknown, ascii("RFB 003.003\n"), u32(16));
    assertThat(v33Unknown.failure()).isEqualTo(ClientHandshake.Failure.NO_COMMON_SECURITY);
  }

  @Test
  void twoHundredFiftyFiveSecurityTypesAreReadAndChosenFrom() {
    byte[] types = new byte[256];
    types[0] = (byte) 255;
    for (int i = 1; i <= 255; i++) {
      types[i] = (byte) (i == 200 ? 2 : 100 + i % 100);
    }
    ClientHandshake hs = client("pw");
    feed(hs, ascii("RFB 003.008\n"));
    assertThat(drip(hs, types)).isEqualTo(new byte[] {2});
  }

  @Test
  void autoPrefersVncAuthOverVencryptWithoutATrustAnchor() {
    ClientHandshake hs = client("pw");
    feed(hs, ascii("RFB 003.008\n"));
    assertThat(feed(hs, new byte[] {2, 19, 2})).as("TigerVNC's default list").isEqualTo(new byte[] {2});
  }

  @Test
  void vencryptX509VncRunsTlsThenVncAuthInsideIt() {
    TlsSettings tls = new TlsSettings("/ca.pem", null, null, null, false);
    ClientHandshake hs = new ClientHandshake(security(SecurityMode.AUTO, null, "pw", tls));
    feed(hs, ascii("RFB 003.008\n"));
    assertThat(feed(hs, new byte[] {2, 2, 19})).isEqualTo(new byte[] {19});
    assertThat(feed(hs, new byte[] {0, 2})).as("VeNCrypt version").isEqualTo(new byte[] {0, 2});
    byte[] subtypes = ByteBuffer.allocate(14).put((byte) 0).put((byte) 3)
        .putInt(ClientHandshake.X509_NONE).putInt(ClientHandshake.TLS_VNC).putInt(ClientHandshake.X509_VNC).array();
    assertThat(drip(hs, subtypes)).isEqualTo(u32(ClientHandshake.X509_VNC));
    assertThat(feed(hs, new byte[] {1})).isEmpty();
    assertThat(hs.outcome()).isEqualTo(ClientHandshake.Outcome.START_TLS);
    assertThat(hs.anonymousTls()).isFalse();
    assertThat(hs.tlsEstablished()).isEmpty();
    byte[] challenge = new byte[16];
    assertThat(feed(hs, challenge)).isEqualTo(VncAuth.response(challenge, "pw"));
    assertThat(feed(hs, u32(0))).isEqualTo(new byte[] {1});
    feed(hs, serverInit("tls-desk"));
    assertThat(hs.outcome()).isEqualTo(ClientHandshake.Outcome.READY);
    assertThat(hs.securityUsed()).isEqualTo(ClientHandshake.X509_VNC);
  }

  @Test
  void vencryptX509PlainSendsTheUsernameAndPasswordOnlyInsideTls() {
    ClientHandshake hs = new ClientHandshake(security(SecurityMode.VENCRYPT, "ann", "pw", null));
    feed(hs, ascii("RFB 003.007\n"), new byte[] {1, 19}, new byte[] {0, 2, 0, 2});
    assertThat(feed(hs, u32(ClientHandshake.X509_NONE), u32(ClientHandshake.X509_PLAIN)))
        .isEqualTo(u32(ClientHandshake.X509_PLAIN));
    assertThat(feed(hs, new byte[] {1})).isEmpty();
    ByteBuffer credentials = ByteBuffer.allocate(13).putInt(3).putInt(2).put(ascii("ann")).put(ascii("pw"));
    assertThat(hs.tlsEstablished()).isEqualTo(credentials.array());
    assertThat(feed(hs, u32(0))).as("3.7 with VeNCrypt has a SecurityResult").isEqualTo(new byte[] {1});
  }

  @Test
  void anonymousTlsOnlyWhenAllowed() {
    byte[] onlyAnonymous = ByteBuffer.allocate(6).put((byte) 0).put((byte) 1).putInt(ClientHandshake.TLS_VNC).array();
    ClientHandshake strict = new ClientHandshake(security(SecurityMode.VENCRYPT, null, "pw", null));
    feed(strict, ascii("RFB 003.008\n"), new byte[] {1, 19}, new byte[] {0, 2}, onlyAnonymous);
    assertThat(strict.failure()).isEqualTo(ClientHandshake.Failure.NO_COMMON_SECURITY);
    assertThat(strict.detail()).contains("258");

    TlsSettings allow = new TlsSettings(null, null, null, null, true);
    ClientHandshake lenient = new ClientHandshake(security(SecurityMode.AUTO, null, "pw", allow));
    feed(lenient, ascii("RFB 003.008\n"), new byte[] {2, 2, 19}, new byte[] {0, 2}, onlyAnonymous);
    feed(lenient, new byte[] {1});
    assertThat(lenient.outcome()).isEqualTo(ClientHandshake.Outcome.START_TLS);
    assertThat(lenient.anonymousTls()).isTrue();
  }

  @Test
  void vencryptRefusalsAndPlaintextWhereTlsShouldStart() {
    ClientHandshake oldVersion = new ClientHandshake(security(SecurityMode.VENCRYPT, null, "pw", null));
    feed(oldVersion, ascii("RFB 003.008\n"), new byte[] {1, 19}, new byte[] {0, 1});
    assertThat(oldVersion.failure()).isEqualTo(ClientHandshake.Failure.NO_COMMON_SECURITY);

    ClientHandshake early = new ClientHandshake(security(SecurityMode.VENCRYPT, null, "pw", null));
    feed(early, ascii("RFB 003.008\n"), new byte[] {1, 19}, new byte[] {0, 2, 0, 1}, u32(ClientHandshake.X509_VNC));
    ClientHandshake.Step step = early.feed(new byte[] {1, 'h', 'i'}, 0, 3);
    assertThat(step.consumed()).isEqualTo(1);
    assertThat(early.outcome()).isEqualTo(ClientHandshake.Outcome.START_TLS);
    early.feed(new byte[] {'h', 'i'}, 0, 2);
    assertThat(early.failure()).isEqualTo(ClientHandshake.Failure.NOT_RFB);
  }

  @Test
  void whateverIsNotRfbOrBreaksItsBoundsIsNotRfb() {
    ClientHandshake ssh = client(null);
    feed(ssh, ascii("SSH-2.0-OpenSSH_9.2p1 Debian\r\n"));
    assertThat(ssh.failure()).isEqualTo(ClientHandshake.Failure.NOT_RFB);
    assertThat(ssh.detail()).contains("SSH-2.0");

    ClientHandshake hugeReason = client(null);
    feed(hugeReason, ascii("RFB 003.008\n"), new byte[] {0}, u32(0xffffffffL), new byte[1000]);
    assertThat(hugeReason.failure()).isEqualTo(ClientHandshake.Failure.NOT_RFB);
    assertThat(hugeReason.detail()).contains("4294967295 bytes");

    ClientHandshake hugeName = client(null);
    ByteBuffer init = ByteBuffer.allocate(24).putShort((short) 1).putShort((short) 1).put(PIXELS_32).putInt(1 << 30);
    feed(hugeName, ascii("RFB 003.008\n"), new byte[] {1, 1}, u32(0), init.array());
    assertThat(hugeName.failure()).isEqualTo(ClientHandshake.Failure.NOT_RFB);

    ClientHandshake badPixels = client(null);
    feed(badPixels, ascii("RFB 003.008\n"), new byte[] {1, 1}, u32(0), new byte[24]);
    assertThat(badPixels.failure()).isEqualTo(ClientHandshake.Failure.NOT_RFB);
    assertThat(badPixels.detail()).contains("pixel format");
  }

  @Test
  void vncAuthMatchesTigerVncsDes() {
    // vncpasswd -f obfuscates with DES under a fixed key, the same DES as VNC Authentication:
    // "password" and "secret1" under key 17 52 6b 06 23 4e 58 07 are dbd83cfd727a1458 and b4ab9e8c4e005607
    String fixedKey = new String(HexFormat.of().parseHex("17526b06234e5807"), StandardCharsets.ISO_8859_1);
    byte[] plain = HexFormat.of().parseHex("70617373776f726473656372657431" + "00");
    assertThat(HexFormat.of().formatHex(VncAuth.response(plain, fixedKey))).isEqualTo("dbd83cfd727a1458b4ab9e8c4e005607");
  }
}
