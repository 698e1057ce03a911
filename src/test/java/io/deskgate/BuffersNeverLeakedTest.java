package io.deskgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class but the token check, with Netty's leak detector at paranoid (the
 * surefire configuration): no pooled buffer that passed through Deskgate's console code (the relay,
 * the pumps, the RFB handshakes and parsers: {@code io.deskgate.proxy}, {@code io.deskgate.rfb}) was
 * dropped without being released. Netty reports a leak when the garbage collector has found the
 * buffer and a later allocation looks, so this collects and allocates before reading the log.
 * Reports whose traces never pass through that code (Vert.x's own HTTP request path has shown one)
 * are printed, not failed on.
 */
@Order(Integer.MAX_VALUE - 1)
class BuffersNeverLeakedTest {

  static final Path LOG = Path.of("target/test-logs/deskgate.log");
  static final List<String> CONSOLE_CODE = List.of("io.deskgate.proxy.", "io.deskgate.rfb.");

  @Test
  void noBufferThroughTheConsoleCodeLeaked() throws Exception {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(100);
      for (int i = 0; i < 100; i++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        probe.release();
      }
    }
    Thread.sleep(200);
    // one report: from its "LEAK:" line to the next log line's timestamp
    List<String> reports = Arrays.stream(Files.readString(LOG).split("(?=\\n\\d{4}-\\d{2}-\\d{2}T)"))
        .filter(r -> r.contains("LEAK:")).toList();
    List<String> ours = reports.stream().filter(r -> CONSOLE_CODE.stream().anyMatch(r::contains)).toList();
    if (reports.size() > ours.size()) {
      System.out.printf("buffer leaks reported outside the console code: %d (see %s)%n",
          reports.size() - ours.size(), LOG);
    }
    assertThat(ours).as("leaks of buffers that passed through the console code").isEmpty();
  }
}
