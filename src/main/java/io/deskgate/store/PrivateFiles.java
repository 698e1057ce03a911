package io.deskgate.store;

import io.deskgate.config.ConfigException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files only their owner may read: mode 0600 from the moment they exist, never readable by others; and
 * the directories Deskgate makes for them, 0700.
 */
public final class PrivateFiles {

  private PrivateFiles() {}

  /** Creates {@code file} holding {@code content}; {@link java.nio.file.FileAlreadyExistsException} when it exists. */
  public static void create(Path file, byte[] content) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, content);
  }

  /** A new empty temporary file only its owner may read (for a secret that passes through a file). */
  public static Path createTemp(String prefix, String suffix) throws IOException {
    return Files.createTempFile(prefix, suffix,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /**
   * Creates {@code dir} and any missing parent with mode 0700 (existing ones are left as they are):
   * whoever else uses the host, a desktop's user among them, cannot list or walk what Deskgate keeps.
   */
  public static Path createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(absolute)) {
      return absolute;
    }
    Path parent = absolute.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      if (!Files.isDirectory(absolute)) {
        throw new FileSystemException(absolute.toString(), null, "Not a directory");
      }
    }
    return absolute;
  }

  /** As {@link #createDirectories}, and {@code dir} itself 0700 even when it existed: a directory only Deskgate uses. */
  public static Path ownDirectory(Path dir) throws IOException {
    Path absolute = createDirectories(dir);
    Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rwx------"));
    return absolute;
  }

  /**
   * Makes sure Deskgate can write in {@code dir} (creating it), or throws a {@link ConfigException} that
   * names the directory, what it is for and why it cannot be written, before anything is written there.
   */
  public static void requireWritableDirectory(Path dir, String purpose) {
    try {
      createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".deskgate-write-check", null);
      Files.delete(probe);
    } catch (IOException e) {
      throw new ConfigException(purpose + " directory " + dir.toAbsolutePath() + " is not writable ("
          + reason(e) + "): give Deskgate's user write access to it, or configure another directory");
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason() + (fs.getFile() != null ? ": " + fs.getFile() : "");
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** Replaces {@code file}, if any, with a new one holding {@code content}. */
  public static void replace(Path file, byte[] content) throws IOException {
    Files.deleteIfExists(file);
    create(file, content);
  }
}
