package io.deskgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The desktop-to-browser relay on the channels underneath Vert.x: each pooled buffer the desktop's
 * socket reads is shown to {@code onData} (counted, recorded) and leaves as one binary WebSocket frame
 * around that same buffer (no copy into the heap, no copy into the frame), written to the browser's channel and flushed once per read burst. While the
 * browser's channel is not writable the desktop's socket is not read (a handler in the browser's
 * pipeline resumes it when the channel drains). Vert.x keeps everything else:
 * the upgrade, the close handshake, the end of the desktop's stream (delivered after its data).
 */
final class NettyDownstream implements Pump {

  static final String NAME = "deskgate-downstream";

  private final BooleanSupplier browserOpen;
  private final Consumer<ByteBuf> onData;
  private final FlushedWrites writes;

  NettyDownstream(NetSocketInternal vnc, Channel desktop, Channel browser, BooleanSupplier browserOpen,
                  Consumer<ByteBuf> onData) {
    this.writes = new FlushedWrites(browser, desktop, NAME);
    this.browserOpen = browserOpen;
    this.onData = onData;
    vnc.messageHandler(this::read);
    vnc.readCompletionHandler(v -> writes.flush());
  }

  private void read(Object message) {
    if (!(message instanceof ByteBuf data) || !browserOpen.getAsBoolean()) {
      ReferenceCountUtil.release(message);
      return;
    }
    onData.accept(data);
    writes.write(new BinaryWebSocketFrame(data));
  }

  @Override
  public Future<Void> flushed() {
    return writes.flushed();
  }

}
