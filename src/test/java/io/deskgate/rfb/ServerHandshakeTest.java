package io.deskgate.rfb;

import static io.deskgate.rfb.ClientHandshakeTest.ascii;
import static io.deskgate.rfb.ClientHandshakeTest.u32;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** Deskgate as the browser's RFB server, driven byte by byte by scripted clients. */
class ServerHandshakeTest {

  static final byte[] INIT = ClientHandshakeTest.serverInit("pc-01");

  static byte[] drip(ServerHandshake hs, byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < bytes.length; i++) {
      out.writeBytes(hs.feed(bytes, i, 1).reply());
    }
    return out.toByteArray();
  }

  @Test
  void rfb38ClientGetsNoneAndTheServerInit() {
    ServerHandshake hs = new ServerHandshake(INIT);
    assertThat(ServerHandshake.GREETING).isEqualTo(ascii("RFB 003.008\n"));
    assertThat(drip(hs, ascii("RFB 003.008\n"))).isEqualTo(new byte[] {1, 1});
    assertThat(drip(hs, new byte[] {1})).isEqualTo(u32(0));
    byte[] clientInitAndRequest = {0, 3, 0, 0, 0, 0, 0, 2, (byte) 128, 1, (byte) 224};
    ClientHandshake.Step step = hs.feed(clientInitAndRequest, 0, clientInitAndRequest.length);
    assertThat(step.reply()).isEqualTo(INIT);
    assertThat(step.consumed()).as("the update request after ClientInit is left for the relay").isEqualTo(1);
    assertThat(hs.outcome()).isEqualTo(ServerHandshake.Outcome.READY);
    assertThat(hs.shared()).isFalse();
  }

  @Test
  void rfb37And33Clients() {
    ServerHandshake v37 = new ServerHandshake(INIT);
    assertThat(drip(v37, ascii("RFB 003.007\n"))).isEqualTo(new byte[] {1, 1});
    assertThat(drip(v37, new byte[] {1})).as("no SecurityResult for None in 3.7").isEmpty();
    assertThat(drip(v37, new byte[] {1})).isEqualTo(INIT);
    assertThat(v37.shared()).isTrue();

    ServerHandshake v33 = new ServerHandshake(INIT);
    assertThat(drip(v33, ascii("RFB 003.003\n"))).isEqualTo(u32(1));
    assertThat(drip(v33, new byte[] {1})).isEqualTo(INIT);
  }

  @Test
  void aClientAskingForVncAuthIsRefusedWithAReason() {
    ServerHandshake hs = new ServerHandshake(INIT);
    drip(hs, ascii("RFB 003.008\n"));
    byte[] answer = drip(hs, new byte[] {2});
    assertThat(hs.outcome()).isEqualTo(ServerHandshake.Outcome.FAILED);
    assertThat(answer).startsWith(u32(1));
    assertThat(new String(answer, 8, answer.length - 8)).contains("None");
  }

  @Test
  void aClientThatIsNotRfbFails() {
    ServerHandshake hs = new ServerHandshake(INIT);
    drip(hs, ascii("GET / HTTP/1.1\r\n"));
    assertThat(hs.outcome()).isEqualTo(ServerHandshake.Outcome.FAILED);
    assertThat(hs.detail()).contains("GET / HTTP");
  }
}
