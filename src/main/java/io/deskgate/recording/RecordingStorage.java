package io.deskgate.recording;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.LocalDate;

/**
 * Where recording files live. Every call blocks (files, object storage): recorder and reader threads
 * only. A recording is written to a {@link Sink} and, once complete, has a location (recorded in the
 * catalog) from which any node that shares the storage can {@link #open} it.
 */
public interface RecordingStorage extends AutoCloseable {

  /** A recording being written; {@code key} is {@code <day>/<id>.dgrec}. */
  Sink create(String key) throws IOException;

  /** Opens the recording at {@code location} (as its sink's {@link Sink#finish} returned it) for reading. */
  InputStream open(String location) throws IOException;

  /** Whether every node of the region can open {@code location}; if not, only the node that wrote it can. */
  boolean shared(String location);

  /** Deletes this node's recordings of days before {@code oldestKept}; returns how many went. */
  int purgeBefore(LocalDate oldestKept) throws IOException;

  /** Lets go of connections to where recordings are kept. */
  @Override
  default void close() {}

  /** One recording's file while it is written. */
  interface Sink {
    OutputStream stream();

    /** Where the recording can be read while it is written (a file of this node's). */
    String location();

    /** Closes the stream and puts the file where it is kept; returns its location from now on. */
    String finish() throws IOException;

    /** Closes the stream and removes what was written (a recording that never started). */
    void discard();
  }
}
