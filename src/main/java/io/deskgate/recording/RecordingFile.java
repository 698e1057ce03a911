package io.deskgate.recording;

import io.deskgate.store.SecretBox;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A recording on disk, format 1 (docs/recording.md): {@code "DGREC" 0x01 | u16 header length | header}
 * (JSON: the recording id, its data key sealed with the secrets key, the nonce prefix), then segments
 * {@code u32 length | u8 last | AES-256-GCM ciphertext} of the records' plaintext ({@link RecordParser}).
 * Segment n is sealed under the data key with nonce {@code prefix || n} and the id, n and the last flag
 * as associated data, so segments cannot be dropped, reordered or moved between files unnoticed; a file
 * whose last segment is missing was cut short (its writer stopped).
 */
public final class RecordingFile {

  static final byte[] MAGIC = {'D', 'G', 'R', 'E', 'C', 1};
  /** Largest sealed segment a reader accepts. */
  static final int MAX_SEGMENT = 4 << 20;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RecordingFile() {}

  private static String keyContext(String id) {
    return "recording-key:" + id;
  }

  private static byte[] aad(String id, long segment, boolean last) {
    return ("dgrec1:" + id + ":" + segment + ":" + (last ? 1 : 0)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] nonce(byte[] prefix, long segment) {
    return ByteBuffer.allocate(12).put(prefix).putLong(segment).array();
  }

  /** The length and last flag before each sealed segment. */
  private static final int HEADER = 5;

  /**
   * A writer thread's cipher and output buffer, used for every segment it seals: a segment costs its
   * encryption and its write, not a cipher lookup and a fresh array.
   */
  private static final class Sealer {
    final Cipher cipher;
    byte[] buffer = new byte[0];

    Sealer() {
      try {
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM is not available", e);
      }
    }

    byte[] output(int sealedLength) {
      if (buffer.length < HEADER + sealedLength) {
        buffer = new byte[HEADER + sealedLength];
      }
      return buffer;
    }
  }

  private static final ThreadLocal<Sealer> SEALERS = ThreadLocal.withInitial(Sealer::new);

  /** Writes one recording; one thread at a time. Its stream is closed by its owner. */
  public static final class Writer {
    private final OutputStream out;
    private final String id;
    private final SecretKeySpec key;
    private final byte[] prefix = new byte[4];
    private long segment;
    private long written;

    /** Writes the header of recording {@code id} to {@code out}, which the writer then owns. */
    public Writer(OutputStream out, SecretBox secrets, String id) throws IOException {
      this.id = id;
      byte[] dataKey = new byte[32];
      RANDOM.nextBytes(dataKey);
      RANDOM.nextBytes(prefix);
      this.key = new SecretKeySpec(dataKey, "AES");
      byte[] header = new JsonObject().put("format", 1).put("id", id)
          .put("key", secrets.seal(Base64.getEncoder().encodeToString(dataKey), keyContext(id)))
          .put("nonce_prefix", Base64.getEncoder().encodeToString(prefix)).encode().getBytes(StandardCharsets.UTF_8);
      this.out = out;
      out.write(MAGIC);
      out.write(new byte[] {(byte) (header.length >> 8), (byte) header.length});
      out.write(header);
      written = MAGIC.length + 2L + header.length;
    }

    /** Seals and writes one segment of plaintext; {@code last} ends the recording. */
    public void append(byte[] plaintext, int length, boolean last) throws IOException {
      Sealer sealer = SEALERS.get();
      int sealedLength;
      try {
        Cipher cipher = sealer.cipher;
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(prefix, segment)));
        cipher.updateAAD(aad(id, segment, last));
        sealedLength = cipher.doFinal(plaintext, 0, length, sealer.output(length + TAG_BITS / 8), HEADER);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM cannot seal a segment", e);
      }
      byte[] out = sealer.buffer;
      ByteBuffer.wrap(out, 0, HEADER).putInt(sealedLength).put((byte) (last ? 1 : 0));
      this.out.write(out, 0, HEADER + sealedLength);
      this.out.flush();
      segment++;
      written += HEADER + (long) sealedLength;
    }

    /** Bytes in the file so far. */
    public long size() {
      return written;
    }
  }

  /** What a file holds: its records, and whether it ended with its last segment. */
  public record Contents(String id, List<RecordParser.Record> records, boolean complete) {}

  /** Reads, opens and parses a whole recording; throws when it is not one, or was tampered with. */
  public static Contents read(InputStream in, SecretBox secrets) throws IOException {
    Reader reader = new Reader(in, secrets);
    List<RecordParser.Record> records = new ArrayList<>();
    RecordParser parser = new RecordParser(MAX_SEGMENT);
    for (byte[] plain; (plain = reader.next()) != null; ) {
      if (!parser.feed(plain, 0, plain.length, records::add)) {
        throw new IOException("segment " + (reader.segment - 1) + ": " + parser.failure());
      }
    }
    return new Contents(reader.id(), records, reader.complete() && parser.atBoundary());
  }

  /**
   * Opens a recording one segment at a time, so that it can be streamed without holding it whole: the
   * plaintext of each segment in turn (records may straddle segments). Throws when the file is not a
   * recording or a segment was tampered with; a file cut short ends early, with {@link #complete} false.
   */
  public static final class Reader implements AutoCloseable {
    private final DataInputStream data;
    private final String id;
    private final SecretKeySpec key;
    private final byte[] prefix;
    private long segment;
    private boolean last;
    private boolean cutShort;

    public Reader(InputStream in, SecretBox secrets) throws IOException {
      this.data = new DataInputStream(in);
      byte[] magic = new byte[MAGIC.length];
      data.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a Deskgate recording of format 1");
      }
      byte[] headerBytes = new byte[data.readUnsignedShort()];
      data.readFully(headerBytes);
      JsonObject header;
      try {
        header = new JsonObject(new String(headerBytes, StandardCharsets.UTF_8));
        this.id = header.getString("id");
        this.key = new SecretKeySpec(Base64.getDecoder().decode(secrets.open(header.getString("key"), keyContext(id))),
            "AES");
        this.prefix = Base64.getDecoder().decode(header.getString("nonce_prefix"));
      } catch (RuntimeException e) {
        throw new IOException("the recording's header does not open with this secrets key: " + e.getMessage());
      }
    }

    public String id() {
      return id;
    }

    /** The next segment's plaintext; null once the last segment was read or the file was cut short. */
    public byte[] next() throws IOException {
      if (last || cutShort) {
        return null;
      }
      int length;
      boolean lastFlag;
      byte[] sealed;
      try {
        length = data.readInt();
        if (length < 16 || length > MAX_SEGMENT) {
          throw new IOException("segment " + segment + " has a length of " + length);
        }
        lastFlag = data.readUnsignedByte() == 1;
        sealed = new byte[length];
        data.readFully(sealed);
      } catch (EOFException e) {
        cutShort = true;
        return null;
      }
      byte[] plain;
      try {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(prefix, segment)));
        cipher.updateAAD(aad(id, segment, lastFlag));
        plain = cipher.doFinal(sealed);
      } catch (GeneralSecurityException e) {
        throw new IOException("segment " + segment + " does not open: altered, moved or out of order");
      }
      segment++;
      last = lastFlag;
      return plain;
    }

    /** Whether the file ended with its last segment (known once {@link #next} returned null). */
    public boolean complete() {
      return last;
    }

    @Override
    public void close() throws IOException {
      data.close();
    }
  }
}
