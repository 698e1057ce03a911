package io.deskgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files only their owner may read: mode 0600 from the moment they exist, never readable by others. */
public final class PrivateFiles {

  private PrivateFiles() {}

  /** Creates {@code file} holding {@code content}; {@link java.nio.file.FileAlreadyExistsException} when it exists. */
  public static void create(Path file, byte[] content) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, content);
  }

  /** Replaces {@code file}, if any, with a new one holding {@code content}. */
  public static void replace(Path file, byte[] content) throws IOException {
    Files.deleteIfExists(file);
    create(file, content);
  }
}
