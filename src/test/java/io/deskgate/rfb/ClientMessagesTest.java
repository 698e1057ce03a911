package io.deskgate.rfb;

import static io.deskgate.testing.RfbMessages.all;
import static io.deskgate.testing.RfbMessages.setEncodings;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.RfbMessages;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The browser's messages on a live console, parsed and policed byte by byte. */
class ClientMessagesTest {

  static final PixelFormat PIXELS = PixelFormat.read(ClientHandshakeTest.PIXELS_32, 0);
  static final byte[] UPDATE_REQUEST = {3, 1, 0, 0, 0, 0, 2, (byte) 128, 1, (byte) 224};
  static final byte[] KEY = {4, 1, 0, 0, 0, 0, 0, 0x61};
  static final byte[] POINTER = {5, 1, 0, 10, 0, 20};
  static final byte[] QEMU_KEY = {(byte) 255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 30};
  static final byte[] XVP_REBOOT = {(byte) 250, 0, 1, 3};
  static final byte[] RESIZE = ByteBuffer.allocate(24).put((byte) 251).put((byte) 0).putShort((short) 800)
      .putShort((short) 600).put((byte) 1).put((byte) 0).put(new byte[16]).array();
  static final byte[] FENCE = {(byte) 248, 0, 0, 0, 0, 0, 0, 3, 2, 'a', 'b'};

  static byte[] cutText(String text) {
    return RfbMessages.cutText(RfbMessages.CLIENT_CUT_TEXT, text);
  }

  static byte[] extendedCutText(int bytes) {
    return ByteBuffer.allocate(8 + bytes).put((byte) 6).put(new byte[3]).putInt(-bytes).array();
  }

  /** Feeds one byte at a time; returns what passed. */
  static byte[] drip(ClientMessages messages, byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < bytes.length; i++) {
      if (!messages.feed(bytes, i, 1, out)) {
        break;
      }
    }
    return out.toByteArray();
  }

  static byte[] whole(ClientMessages messages, byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    messages.feed(bytes, 0, bytes.length, out);
    return out.toByteArray();
  }

  @Test
  void aFullConsolePassesEveryKnownMessageUnchanged() {
    byte[] stream = all(new byte[20], setEncodings(16, 7, 0, -239), UPDATE_REQUEST, KEY, POINTER, cutText("hi"),
        extendedCutText(9), new byte[] {(byte) 150, 1, 0, 0, 0, 0, 1, 0, 1, 0}, FENCE, XVP_REBOOT, RESIZE, QEMU_KEY);
    stream[1 + 3] = 32;
    stream[5] = 24;
    assertThat(drip(new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20), stream)).isEqualTo(stream);
    assertThat(whole(new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20), stream)).isEqualTo(stream);
  }

  @Test
  void aViewOnlyConsoleDropsAllInputButKeepsTheScreenComing() {
    ClientMessages view = new ClientMessages(new ClientMessages.Policy(true, true, null), PIXELS, 1 << 20);
    byte[] stream = all(KEY, UPDATE_REQUEST, POINTER, cutText("pw"), QEMU_KEY, XVP_REBOOT, RESIZE, FENCE);
    assertThat(drip(view, stream)).isEqualTo(all(UPDATE_REQUEST, FENCE));
    assertThat(view.dropped()).isEqualTo(6);
  }

  @Test
  void keyEventsPlainAndQemuAndPointerEventsAreToldToTheInputListener() {
    ClientMessages messages = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20);
    java.util.List<String> heard = new java.util.ArrayList<>();
    messages.input(new ClientMessages.Input() {
      @Override
      public void key(boolean down, long keysym) {
        heard.add("key " + down + " " + Long.toHexString(keysym));
      }

      @Override
      public void pointer(int buttonMask, int x, int y) {
        heard.add("pointer " + buttonMask + " " + x + "," + y);
      }
    });
    byte[] qemuUp = QEMU_KEY.clone();
    qemuUp[3] = 0;
    drip(messages, all(KEY, UPDATE_REQUEST, QEMU_KEY, qemuUp, POINTER));
    assertThat(heard).containsExactly("key true 61", "key true 61", "key false 61", "pointer 1 10,20");
  }

  @Test
  void aClipboardClosedTowardsTheDesktopDropsCutTextOnly() {
    ClientMessages closed = new ClientMessages(new ClientMessages.Policy(false, false, null), PIXELS, 1 << 20);
    assertThat(whole(closed, all(cutText("secret"), KEY, extendedCutText(20), POINTER))).isEqualTo(all(KEY, POINTER));
  }

  @Test
  void setEncodingsIsRewrittenToTheEncodingsAllowed() {
    ClientMessages framed = new ClientMessages(new ClientMessages.Policy(false, true, e -> e != 21 && e != 50),
        PIXELS, 1 << 20);
    assertThat(drip(framed, setEncodings(50, 21, 7, 16, -239))).isEqualTo(setEncodings(7, 16, -239));
  }

  @Test
  void setPixelFormatIsFollowed() {
    ClientMessages messages = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20);
    byte[] to16 = new byte[20];
    to16[4] = 16;
    to16[5] = 16;
    whole(messages, to16);
    assertThat(messages.pixelFormat().bitsPerPixel()).isEqualTo(16);
    byte[] to24 = new byte[20];
    to24[4] = 24;
    to24[5] = 24;
    assertThat(new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20).feed(to24, 0, 20,
        new ByteArrayOutputStream())).isFalse();
  }

  @Test
  void unknownTypesAndBrokenBoundsEndTheStream() {
    ClientMessages unknown = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20);
    assertThat(whole(unknown, all(KEY, new byte[] {7, 0, 0, 0}, POINTER))).isEqualTo(KEY);
    assertThat(unknown.failure()).isEqualTo("client message type 7");

    ClientMessages bigCut = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1000);
    assertThat(drip(bigCut, ByteBuffer.allocate(8).put((byte) 6).put(new byte[3]).putInt(Integer.MIN_VALUE).array()))
        .isEmpty();
    assertThat(bigCut.failure()).contains("2147483648 bytes");

    ClientMessages qemuAudio = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1000);
    drip(qemuAudio, new byte[] {(byte) 255, 1, 0, 0});
    assertThat(qemuAudio.failure()).contains("subtype 1");

    ClientMessages fence = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1000);
    drip(fence, new byte[] {(byte) 248, 0, 0, 0, 0, 0, 0, 0, 65});
    assertThat(fence.failure()).contains("65 bytes");

    ClientMessages encodings = new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1000);
    drip(encodings, new byte[] {2, 0, (byte) 0xff, (byte) 0xff});
    assertThat(encodings.failure()).contains("65535 encodings");
  }
}
