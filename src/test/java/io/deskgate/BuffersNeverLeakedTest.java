package io.deskgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class but the token check, with Netty's leak detector at paranoid (the
 * surefire configuration): no pooled buffer that the run's consoles, relays and handshakes took was
 * dropped without being released. Netty reports a leak when the garbage collector has found the
 * buffer and a later allocation looks, so this collects and allocates before reading the log.
 */
@Order(Integer.MAX_VALUE - 1)
class BuffersNeverLeakedTest {

  static final Path LOG = Path.of("target/test-logs/deskgate.log");

  @Test
  void noBufferOfTheRunLeaked() throws Exception {
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
    assertThat(Files.readString(LOG)).as("Netty's leak reports in the run's log").doesNotContain("LEAK:");
  }
}
