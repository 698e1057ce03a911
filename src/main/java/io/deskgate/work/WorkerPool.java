package io.deskgate.work;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fixed set of threads for blocking or CPU-heavy work (JDBC, password hashing, provider commands),
 * kept off the event loops. Its queue has a limit: work offered to a full queue is refused at once with
 * the pool's own error (for example 503 or 429), rather than waiting in an ever longer line. Results are
 * delivered on the Vert.x context that submitted the work, so callers never leave their event loop.
 */
public final class WorkerPool implements AutoCloseable {

  private final ThreadPoolExecutor executor;
  private final Supplier<? extends RuntimeException> refusal;

  public WorkerPool(String name, int threads, int queueLimit, Supplier<? extends RuntimeException> refusal) {
    this.refusal = refusal;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "deskgate-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueLimit), factory, new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs {@code work} on a pool thread; fails at once with the pool's refusal when the queue is full. */
  public <T> Future<T> submit(Callable<T> work) {
    Context caller = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    try {
      executor.execute(() -> {
        T result;
        try {
          result = work.call();
        } catch (Throwable e) {
          deliver(caller, () -> promise.fail(e));
          return;
        }
        deliver(caller, () -> promise.complete(result));
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(refusal.get());
    }
    return promise.future();
  }

  private static void deliver(Context caller, Runnable completion) {
    if (caller == null) {
      completion.run();
    } else {
      caller.runOnContext(v -> completion.run());
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
