package io.deskgate.recording;

import io.deskgate.store.SecretBox;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes console recordings ({@link RecordingFile}) to their {@link RecordingStorage}, on writer threads
 * of its own, never on an event loop: each recording's
 * segments wait in a queue of at most {@link #PENDING_SEGMENTS_LIMIT} and are written in order by one
 * writer at a time. A recording whose queue is full or whose write fails stops (its file then ends
 * without its last segment: a reader sees it cut short), and its console is told through
 * {@link ConsoleRecording#onFailure}.
 */
public final class Recorder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Recorder.class);
  static final int PENDING_SEGMENTS_LIMIT = 64;

  /** The writing side of one recording, as {@link ConsoleRecording} hands it segments. */
  interface Writing {
    /** A segment to write; never blocks. */
    void segment(byte[] bytes, int length);

    /** The last segment: written, then the file is closed; {@code reason}: why the console ended. */
    void finish(byte[] bytes, int length, String reason);

    /** Whether the recording stopped because it could not be written. */
    boolean failed();

    /** Who is told, once, why the recording stopped early (at once if it already has). */
    void onFailure(Consumer<String> listener);
  }

  /** What on-call engineers watch: recordings live, bytes written, failures by reason. */
  public interface Stats {
    void started();

    void ended();

    void written(long bytes);

    void failed(String reason);
  }

  private final RecordingStorage storage;
  private final SecretBox secrets;
  private final RecordingCatalog catalog;
  private final Stats stats;
  private final ExecutorService writers;

  public Recorder(RecordingStorage storage, SecretBox secrets, RecordingCatalog catalog, int writerThreads,
                  Stats stats) {
    this.catalog = catalog;
    this.storage = storage;
    this.secrets = secrets;
    this.stats = stats;
    AtomicInteger n = new AtomicInteger();
    this.writers = Executors.newFixedThreadPool(writerThreads, r -> {
      Thread t = new Thread(r, "deskgate-recording-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A recording opened and its id (the file's name). */
  public record Opened(String id, ConsoleRecording recording) {}

  /**
   * Blocks (file I/O and the store: call it off the event loop): creates a recording's file,
   * {@code <day>/<id>.dgrec} in its storage, with its header, and its row in the catalog. Key events keep
   * which key only with {@code keys}.
   */
  public Opened open(RecordingCatalog.Subject subject, boolean keys) throws IOException {
    String id = UUID.randomUUID().toString();
    RecordingStorage.Sink sink;
    RecordingFile.Writer writer;
    try {
      sink = storage.create(LocalDate.now(ZoneOffset.UTC) + "/" + id + ".dgrec");
    } catch (IOException | RuntimeException e) {
      stats.failed("cannot_start");
      throw e;
    }
    try {
      writer = new RecordingFile.Writer(sink.stream(), secrets, id);
      catalog.opened(id, subject, sink.location(), keys);
    } catch (IOException | RuntimeException e) {
      stats.failed("cannot_start");
      sink.discard();
      throw new IOException("the recording cannot start: " + e.getMessage(), e);
    }
    stats.started();
    return new Opened(id, new ConsoleRecording(new FileWriting(id, sink, writer), keys));
  }

  private record Segment(byte[] bytes, int length, boolean last, String reason) {}

  /** One recording's queue of segments and its file, written by one writer thread at a time. */
  private final class FileWriting implements Writing {
    private final String id;
    private final RecordingStorage.Sink sink;
    private final RecordingFile.Writer file;
    private Consumer<String> onFailure;
    private String failure;
    private final Queue<Segment> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong reported = new AtomicLong();
    private volatile boolean failed;

    FileWriting(String id, RecordingStorage.Sink sink, RecordingFile.Writer file) {
      this.id = id;
      this.sink = sink;
      this.file = file;
    }

    @Override
    public void onFailure(Consumer<String> listener) {
      String already;
      synchronized (this) {
        onFailure = listener;
        already = failure;
      }
      if (already != null) {
        listener.accept(already);
      }
    }

    @Override
    public void segment(byte[] bytes, int length) {
      if (failed) {
        return;
      }
      if (pending.incrementAndGet() > PENDING_SEGMENTS_LIMIT) {
        fail("queue_full", "its writer fell " + PENDING_SEGMENTS_LIMIT + " segments behind");
        return;
      }
      queue.add(new Segment(bytes, length, false, null));
      drain();
    }

    @Override
    public void finish(byte[] bytes, int length, String reason) {
      queue.add(new Segment(bytes == null ? new byte[0] : bytes, bytes == null ? 0 : length, true, reason));
      drain();
    }

    @Override
    public boolean failed() {
      return failed;
    }

    private void fail(String reason, String why) {
      Consumer<String> listener;
      synchronized (this) {
        if (failed) {
          return;
        }
        failed = true;
        failure = why;
        listener = onFailure;
      }
      stats.failed(reason);
      log.warn("recording {} stopped: {}", id, why);
      if (listener != null) {
        listener.accept(why);
      }
    }

    private void drain() {
      if (draining.compareAndSet(false, true)) {
        writers.execute(this::writeQueued);
      }
    }

    private void writeQueued() {
      try {
        for (Segment s; (s = queue.poll()) != null; ) {
          if (!s.last()) {
            pending.decrementAndGet();
          }
          if (s.last()) {
            close(s);
            return;
          }
          if (!failed) {
            write(s);
          }
        }
      } finally {
        draining.set(false);
      }
      if (!queue.isEmpty()) {
        drain();
      }
    }

    private void write(Segment s) {
      try {
        file.append(s.bytes(), s.length(), false);
        account();
      } catch (IOException e) {
        fail("write_failed", "cannot write " + id + ": " + e.getMessage());
      }
    }

    private void close(Segment last) {
      try {
        if (!failed) {
          file.append(last.bytes(), last.length(), true);
          account();
        }
      } catch (IOException e) {
        fail("write_failed", "cannot write " + id + ": " + e.getMessage());
      } finally {
        String location = sink.location();
        try {
          location = sink.finish();
        } catch (IOException e) {
          stats.failed("store_failed");
          log.warn("recording {}: cannot put its file where recordings are kept, it stays at {}: {}", id, location,
              e.getMessage());
        }
        stats.ended();
        try {
          catalog.ended(id, !failed, file.size(), last.reason(), location);
        } catch (RuntimeException e) {
          log.warn("recording {}: its end cannot be recorded in the store: {}", id, e.getMessage());
        }
      }
    }

    private void account() {
      long size = file.size();
      stats.written(size - reported.getAndSet(size));
    }
  }

  /**
   * Blocks (storage and the store): deletes this node's recordings of days older than
   * {@code retentionDays}, and their rows; returns how many recordings went.
   */
  public int purge(int retentionDays) throws IOException {
    LocalDate oldestKept = LocalDate.now(ZoneOffset.UTC).minusDays(retentionDays);
    int removed = storage.purgeBefore(oldestKept);
    catalog.forgetBefore(oldestKept.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
    return removed;
  }

  /** Blocks until what was handed to the writers is written, for 10 s at most. */
  @Override
  public void close() {
    writers.shutdown();
    try {
      if (!writers.awaitTermination(10, TimeUnit.SECONDS)) {
        writers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      writers.shutdownNow();
    }
  }
}
