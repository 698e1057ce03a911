package io.deskgate.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

  static final class Full extends RuntimeException {}

  @Test
  void workBeyondTheThreadsAndTheQueueIsRefusedAtOnceWithThePoolsError() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (WorkerPool pool = new WorkerPool("test", 1, 2, Full::new)) {
      Future<Integer> running = pool.submit(() -> {
        release.await();
        return 1;
      });
      Future<Integer> queued1 = pool.submit(() -> 2);
      Future<Integer> queued2 = pool.submit(() -> 3);
      Future<Integer> refused = pool.submit(() -> 4);
      assertThat(refused.failed()).isTrue();
      assertThat(refused.cause()).isInstanceOf(Full.class);
      release.countDown();
      assertThat(running.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(queued1.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(queued2.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(3);
      assertThat(pool.submit(() -> 5).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(5);
    }
  }

  @Test
  void aFailureOfTheWorkFailsItsFuture() throws Exception {
    try (WorkerPool pool = new WorkerPool("test", 1, 1, Full::new)) {
      Future<Object> failed = pool.submit(() -> {
        throw new IllegalStateException("boom");
      });
      CountDownLatch done = new CountDownLatch(1);
      failed.onComplete(r -> done.countDown());
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(failed.cause()).hasMessage("boom");
    }
  }
}
