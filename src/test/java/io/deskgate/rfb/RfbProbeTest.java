package io.deskgate.rfb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The probe's handshake driven byte by byte by scripted servers: no sockets, no clock. */
class RfbProbeTest {

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] u32(long v) {
    return ByteBuffer.allocate(4).putInt((int) v).array();
  }

  static byte[] serverInit(String name) {
    ByteBuffer b = ByteBuffer.allocate(24 + name.length());
    b.putShort((short) 640).putShort((short) 480).put(new byte[16]).putInt(name.length()).put(ascii(name));
    return b.array();
  }

  static byte[] feed(RfbProbe probe, byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      out.writeBytes(probe.feed(c, 0, c.length));
    }
    return out.toByteArray();
  }

  /** The same bytes one at a time, as a dripping server would send them. */
  static byte[] drip(RfbProbe probe, byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      for (int i = 0; i < c.length; i++) {
        out.writeBytes(probe.feed(c, i, 1));
      }
    }
    return out.toByteArray();
  }

  @Test
  void rfb38WithNoneGoesToServerInit() {
    RfbProbe probe = new RfbProbe(null);
    assertThat(feed(probe, ascii("RFB 003.008\n"))).isEqualTo(ascii("RFB 003.008\n"));
    assertThat(feed(probe, new byte[] {2, 1, 2})).isEqualTo(new byte[] {1});
    assertThat(feed(probe, u32(0))).as("ClientInit, shared").isEqualTo(new byte[] {1});
    assertThat(probe.result()).isEqualTo(RfbProbe.Result.PENDING);
    feed(probe, serverInit("desk-A"));
    assertThat(probe.result()).isEqualTo(RfbProbe.Result.READY);
    assertThat(probe.detail()).isEqualTo("desk-A");
  }

  @Test
  void rfb38WithVncAuthAnswersTheChallengeWithThePassword() {
    byte[] challenge = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    RfbProbe probe = new RfbProbe("secret1");
    drip(probe, ascii("RFB 003.008\n"));
    assertThat(drip(probe, new byte[] {1, 2})).isEqualTo(new byte[] {2});
    assertThat(drip(probe, challenge)).isEqualTo(VncAuth.response(challenge, "secret1"));
    assertThat(drip(probe, u32(0))).isEqualTo(new byte[] {1});
    drip(probe, serverInit("x"));
    assertThat(probe.result()).isEqualTo(RfbProbe.Result.READY);
  }

  @Test
  void rfb37And33AndUnknownMinorVersions() {
    RfbProbe v37 = new RfbProbe(null);
    feed(v37, ascii("RFB 003.007\n"));
    assertThat(feed(v37, new byte[] {1, 1})).as("3.7 has no SecurityResult for None").isEqualTo(new byte[] {1, 1});
    feed(v37, serverInit(""));
    assertThat(v37.result()).isEqualTo(RfbProbe.Result.READY);

    RfbProbe v33 = new RfbProbe(null);
    assertThat(feed(v33, ascii("RFB 003.005\n"))).isEqualTo(ascii("RFB 003.003\n"));
    assertThat(feed(v33, u32(1))).isEqualTo(new byte[] {1});
    feed(v33, serverInit("old"));
    assertThat(v33.result()).isEqualTo(RfbProbe.Result.READY);

    assertThat(feed(new RfbProbe(null), ascii("RFB 003.889\n"))).isEqualTo(ascii("RFB 003.008\n"));
  }

  @Test
  void aBlacklistingServerIsARefusalWithItsReason() {
    RfbProbe probe = new RfbProbe(null);
    feed(probe, ascii("RFB 003.003\n"), u32(0), u32(26), ascii("Too many security failures"));
    assertThat(probe.result()).isEqualTo(RfbProbe.Result.REFUSED);
    assertThat(probe.detail()).isEqualTo("the server refused the connection: Too many security failures");
  }

  @Test
  void aWrongPasswordIsARefusal() {
    RfbProbe probe = new RfbProbe("wrong");
    feed(probe, ascii("RFB 003.008\n"), new byte[] {1, 2}, new byte[16], u32(1), u32(21), ascii("Authentication failed"));
    assertThat(probe.result()).isEqualTo(RfbProbe.Result.REFUSED);
    assertThat(probe.detail()).contains("authentication failed: Authentication failed");
  }

  @Test
  void securityTheProbeCannotCompleteIsUnsupported() {
    RfbProbe vencrypt = new RfbProbe("pw");
    feed(vencrypt, ascii("RFB 003.008\n"), new byte[] {1, 19});
    assertThat(vencrypt.result()).isEqualTo(RfbProbe.Result.UNSUPPORTED);
    assertThat(vencrypt.detail()).contains("19");
    RfbProbe noPassword = new RfbProbe(null);
    feed(noPassword, ascii("RFB 003.008\n"), new byte[] {1, 2});
    assertThat(noPassword.result()).isEqualTo(RfbProbe.Result.UNSUPPORTED);
    assertThat(noPassword.detail()).contains("no password");
  }

  @Test
  void whateverIsNotRfbOrBreaksItsBoundsIsNotRfb() {
    RfbProbe ssh = new RfbProbe(null);
    feed(ssh, ascii("SSH-2.0-OpenSSH_9.2p1 Debian\r\n"));
    assertThat(ssh.result()).isEqualTo(RfbProbe.Result.NOT_RFB);

    RfbProbe hugeReason = new RfbProbe(null);
    feed(hugeReason, ascii("RFB 003.008\n"), new byte[] {0}, u32(0xffffffffL), new byte[1000]);
    assertThat(hugeReason.result()).isEqualTo(RfbProbe.Result.NOT_RFB);
    assertThat(hugeReason.detail()).contains("4294967295 bytes");

    RfbProbe hugeName = new RfbProbe(null);
    ByteBuffer init = ByteBuffer.allocate(24).putShort((short) 1).putShort((short) 1).put(new byte[16]).putInt(1 << 30);
    feed(hugeName, ascii("RFB 003.008\n"), new byte[] {1, 1}, u32(0), init.array());
    assertThat(hugeName.result()).isEqualTo(RfbProbe.Result.NOT_RFB);
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
