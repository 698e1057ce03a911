package io.deskgate.recording;

import io.deskgate.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Recordings as files under {@code recording.dir} on this node's disk: {@code <day>/<id>.dgrec}, mode
 * 0600. Their location is the path under the directory, which only this node reaches.
 */
public final class LocalStorage implements RecordingStorage {

  private final Path dir;

  public LocalStorage(Path dir) {
    this.dir = dir;
  }

  @Override
  public Sink create(String key) throws IOException {
    Path file = resolve(key);
    PrivateFiles.createDirectories(file.getParent());
    OutputStream out = Files.newOutputStream(Files.createFile(file,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), StandardOpenOption.WRITE);
    return new Sink() {
      @Override
      public OutputStream stream() {
        return out;
      }

      @Override
      public String location() {
        return key;
      }

      @Override
      public String finish() throws IOException {
        out.close();
        return key;
      }

      @Override
      public void discard() {
        try {
          out.close();
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // nothing was recorded in it; a leftover empty file goes with its day
        }
      }
    };
  }

  @Override
  public InputStream open(String location) throws IOException {
    return Files.newInputStream(resolve(location));
  }

  @Override
  public boolean shared(String location) {
    return false;
  }

  /** The file of a key or location, which must stay under the directory. */
  Path resolve(String key) throws IOException {
    Path file = dir.resolve(key).normalize();
    if (!file.startsWith(dir.normalize()) || !key.endsWith(".dgrec")) {
      throw new IOException("not a recording's location: " + key);
    }
    return file;
  }

  @Override
  public int purgeBefore(LocalDate oldestKept) throws IOException {
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
}
