package io.deskgate.rfb;

import static io.deskgate.testing.RfbMessages.all;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.RfbMessages;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The desktop's stream framed byte by byte: every encoding Deskgate lets through, cut text found and dropped. */
class ServerMessagesTest {

  static final PixelFormat PIXELS = ClientMessagesTest.PIXELS;

  static ClientMessages browser() {
    return new ClientMessages(ClientMessages.Policy.FULL, PIXELS, 1 << 20);
  }

  static byte[] update(byte[]... rects) {
    return all(new byte[] {0, 0, 0, (byte) rects.length}, all(rects));
  }

  static byte[] rect(int w, int h, int encoding, byte[] body) {
    return all(ByteBuffer.allocate(12).putShort((short) 0).putShort((short) 0).putShort((short) w)
        .putShort((short) h).putInt(encoding).array(), body);
  }

  static byte[] u32(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  static byte[] cutText(String text) {
    return RfbMessages.cutText(RfbMessages.SERVER_CUT_TEXT, text);
  }

  static byte[] drip(ServerMessages framer, byte[] stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < stream.length; i++) {
      if (!framer.feed(stream, i, 1, out::write)) {
        break;
      }
    }
    return out.toByteArray();
  }

  static byte[] whole(ServerMessages framer, byte[] stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    framer.feed(stream, 0, stream.length, out::write);
    return out.toByteArray();
  }

  /** Hextile, 20x20: four tiles (16x16, 4x16, 16x4, 4x4), each with another subencoding. */
  static byte[] hextile() {
    byte[] raw = all(new byte[] {1}, new byte[16 * 16 * 4]);
    byte[] backgroundOnly = all(new byte[] {2}, new byte[4]);
    byte[] colouredSubrects = all(new byte[] {(byte) (2 | 4 | 8 | 16)}, new byte[4], new byte[4], new byte[] {2},
        new byte[2 * (4 + 2)]);
    byte[] sameAsBefore = {0};
    return rect(20, 20, ServerMessages.HEXTILE, all(raw, backgroundOnly, colouredSubrects, sameAsBefore));
  }

  /** Tight: a fill, a JPEG with a two-byte compact length, a two-colour palette (raw, under 12 bytes), a copy filter. */
  static byte[] tight() {
    byte[] fill = rect(8, 8, ServerMessages.TIGHT, all(new byte[] {(byte) 0x80}, new byte[3]));
    byte[] jpeg = rect(64, 64, ServerMessages.TIGHT, all(new byte[] {(byte) 0x90, (byte) 0x84, 0x01},
        new byte[132]));
    byte[] palette = rect(8, 8, ServerMessages.TIGHT, all(new byte[] {0x40, 1, 1}, new byte[2 * 3], new byte[8]));
    byte[] copy = rect(16, 16, ServerMessages.TIGHT, all(new byte[] {0x40, 0, 100}, new byte[100]));
    byte[] tiny = rect(1, 1, ServerMessages.TIGHT, all(new byte[] {0}, new byte[3]));
    return all(fill, jpeg, palette, copy, tiny);
  }

  static byte[] everything() {
    return all(
        update(rect(2, 2, ServerMessages.RAW, new byte[16]), rect(5, 5, ServerMessages.COPY_RECT, new byte[4]),
            rect(9, 9, ServerMessages.RRE, all(u32(2), new byte[4], new byte[2 * 12])), hextile(),
            rect(30, 30, ServerMessages.ZRLE, all(u32(7), new byte[7])),
            rect(30, 30, ServerMessages.ZLIB, all(u32(3), new byte[3])),
            rect(4, 4, ServerMessages.CURSOR, new byte[4 * 4 * 4 + 4]),
            rect(9, 2, ServerMessages.X_CURSOR, new byte[6 + 2 * 2 * 2]),
            rect(800, 600, ServerMessages.DESKTOP_SIZE, new byte[0]),
            rect(800, 600, ServerMessages.EXTENDED_DESKTOP_SIZE, all(new byte[] {2, 0, 0, 0}, new byte[32])),
            rect(0, 0, ServerMessages.DESKTOP_NAME, all(u32(4), "name".getBytes())),
            rect(0, 0, ServerMessages.QEMU_LED_STATE, new byte[] {7}),
            rect(0, 0, ServerMessages.VMWARE_LED_STATE, new byte[4])),
        new byte[] {2},
        cutText("from the desktop"),
        update(tight()),
        new byte[] {1, 0, 0, 0, 0, 2}, new byte[12],
        new byte[] {(byte) 248, 0, 0, 0, 0, 0, 0, 1, 3}, new byte[3],
        new byte[] {(byte) 250, 0, 1, 2},
        new byte[] {(byte) 150},
        // an update that ends with LastRect, announcing more rectangles than it has
        new byte[] {0, 0, (byte) 0xff, (byte) 0xff}, rect(1, 1, ServerMessages.RAW, new byte[4]),
        rect(0, 0, ServerMessages.LAST_RECT, new byte[0]),
        all(new byte[] {3, 0, 0, 0}, u32(-10), new byte[10]));
  }

  @Test
  void everyEncodingIsFramedAndPassedUnchanged() {
    byte[] stream = everything();
    assertThat(drip(new ServerMessages(browser(), true, 1 << 20), stream)).isEqualTo(stream);
    ServerMessages whole = new ServerMessages(browser(), true, 1 << 20);
    assertThat(whole(whole, stream)).isEqualTo(stream);
    assertThat(whole.failure()).isNull();
  }

  @Test
  void cutTextIsDroppedWhenTheClipboardIsClosedTowardsTheBrowser() {
    byte[] stream = all(new byte[] {2}, cutText("secret"), update(rect(1, 1, ServerMessages.RAW, new byte[4])),
        all(new byte[] {3, 0, 0, 0}, u32(-5), new byte[5]), new byte[] {2});
    ServerMessages framer = new ServerMessages(browser(), false, 1 << 20);
    assertThat(drip(framer, stream)).isEqualTo(all(new byte[] {2},
        update(rect(1, 1, ServerMessages.RAW, new byte[4])), new byte[] {2}));
    assertThat(framer.cutTextsDropped()).isEqualTo(2);
    assertThat(framer.framebufferUpdates()).as("the first frame's start is seen (console open timing)").isEqualTo(1);
  }

  @Test
  void theBrowsersPixelFormatSetsThePixelSize() {
    ClientMessages browser = browser();
    byte[] to16 = new byte[20];
    to16[4] = 16;
    to16[5] = 16;
    browser.feed(to16, 0, 20, new ByteArrayOutputStream());
    byte[] stream = all(update(rect(2, 2, ServerMessages.RAW, new byte[8])), new byte[] {2});
    assertThat(drip(new ServerMessages(browser, true, 1 << 20), stream)).isEqualTo(stream);
  }

  @Test
  void whatCannotBeFramedEndsTheStream() {
    ServerMessages garbage = new ServerMessages(browser(), true, 1 << 20);
    assertThat(whole(garbage, "SSH-2.0-OpenSSH".getBytes())).isEmpty();
    assertThat(garbage.failure()).isEqualTo("server message type 83");

    ServerMessages h264 = new ServerMessages(browser(), true, 1 << 20);
    whole(h264, update(rect(8, 8, 50, new byte[8])));
    assertThat(h264.failure()).contains("encoding 50");

    ServerMessages hugeCut = new ServerMessages(browser(), true, 1000);
    assertThat(drip(hugeCut, all(new byte[] {3, 0, 0, 0}, u32(Integer.MAX_VALUE), new byte[100])))
        .as("nothing of the text").hasSizeLessThanOrEqualTo(1);
    assertThat(hugeCut.failure()).contains("2147483647 bytes");

    ServerMessages hugeName = new ServerMessages(browser(), true, 1000);
    whole(hugeName, update(rect(0, 0, ServerMessages.DESKTOP_NAME, u32(1 << 20))));
    assertThat(hugeName.failure()).contains("desktop name");

    ServerMessages png = new ServerMessages(browser(), true, 1000);
    whole(png, update(rect(8, 8, ServerMessages.TIGHT, new byte[] {(byte) 0xa0})));
    assertThat(png.failure()).contains("Tight compression 10");
  }

  @Test
  void framedEncodingsAreWhatSetEncodingsKeeps() {
    assertThat(ServerMessages.framed(ServerMessages.TIGHT)).isTrue();
    assertThat(ServerMessages.framed(-23)).as("JPEG quality").isTrue();
    assertThat(ServerMessages.framed(-256)).as("compression level").isTrue();
    assertThat(ServerMessages.framed(21)).as("JPEG encoding").isFalse();
    assertThat(ServerMessages.framed(50)).as("H.264").isFalse();
    assertThat(ServerMessages.framed(ServerMessages.EXTENDED_CLIPBOARD)).isFalse();
  }
}
