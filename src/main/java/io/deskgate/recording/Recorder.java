package io.deskgate.recording;

import io.deskgate.store.SecretBox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes console recordings to files under {@code recording.dir} ({@code <day>/<id>.dgrec},
 * {@link RecordingFile}), on writer threads of its own, never on an event loop: each recording's
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

  private final Path dir;
  private final SecretBox secrets;
  private final RecordingCatalog catalog;
  private final Stats stats;
  private final ExecutorService writers;

  public Recorder(Path dir, SecretBox secrets, RecordingCatalog catalog, int writerThreads, Stats stats) {
    this.catalog = catalog;
    this.dir = dir;
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
   * {@code <day>/<id>.dgrec} under {@code recording.dir}, with its header, and its row in the catalog.
   * Key events keep which key only with {@code keys}.
   */
  public Opened open(RecordingCatalog.Subject subject, boolean keys) throws IOException {
    String id = UUID.randomUUID().toString();
    String location = LocalDate.now(ZoneOffset.UTC) + "/" + id + ".dgrec";
    RecordingFile.Writer writer;
    try {
      writer = new RecordingFile.Writer(dir.resolve(location), secrets, id);
    } catch (IOException | RuntimeException e) {
      stats.failed("cannot_start");
      throw e;
    }
    try {
      catalog.opened(id, subject, location, keys);
    } catch (RuntimeException e) {
      stats.failed("cannot_start");
      writer.close();
      Files.deleteIfExists(dir.resolve(location));
      throw new IOException("the recording cannot be listed in the store: " + e.getMessage(), e);
    }
    stats.started();
    return new Opened(id, new ConsoleRecording(new FileWriting(id, writer), keys));
  }

  private record Segment(byte[] bytes, int length, boolean last, String reason) {}

  /** One recording's queue of segments and its file, written by one writer thread at a time. */
  private final class FileWriting implements Writing {
    private final String id;
    private final RecordingFile.Writer file;
    private Consumer<String> onFailure;
    private String failure;
    private final Queue<Segment> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong reported = new AtomicLong();
    private volatile boolean failed;

    FileWriting(String id, RecordingFile.Writer file) {
      this.id = id;
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
        try {
          file.close();
        } catch (IOException e) {
          log.warn("recording {}: closing its file: {}", id, e.getMessage());
        }
        stats.ended();
        try {
          catalog.ended(id, !failed, file.size(), last.reason());
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
   * Blocks (file I/O and the store): deletes the day directories of recordings older than
   * {@code retentionDays}, and their rows; returns how many recordings went.
   */
  public int purge(int retentionDays) throws IOException {
    LocalDate oldestKept = LocalDate.now(ZoneOffset.UTC).minusDays(retentionDays);
    int removed = purgeFilesBefore(oldestKept);
    catalog.forgetBefore(oldestKept.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
    return removed;
  }

  private int purgeFilesBefore(LocalDate oldestKept) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (Stream<Path> days = Files.list(dir)) {
      for (Path day : days.filter(Files::isDirectory).toList()) {
        LocalDate date;
        try {
          date = LocalDate.parse(day.getFileName().toString());
        } catch (DateTimeParseException notADay) {
          continue;
        }
        if (date.isBefore(oldestKept)) {
          try (Stream<Path> files = Files.walk(day)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
              removed += p.toString().endsWith(".dgrec") ? 1 : 0;
              Files.delete(p);
            }
          }
        }
      }
    }
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
