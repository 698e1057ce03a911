package io.deskgate.store;

import io.deskgate.config.Config;
import io.deskgate.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated encryption (AES-256-GCM) for secrets at rest (SKs, VNC passwords) and for sealed
 * messages such as encoded authorization reasons. Each ciphertext is bound to a context string (the
 * "associated data"), so a value copied from one row or purpose to another does not decrypt.
 * Format: {@code v1.} + base64url(12-byte nonce | ciphertext | tag).
 */
public final class SecretBox {

  private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
  private static final String PREFIX = "v1.";
  private static final int NONCE_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CHECK_NAME = "secrets_check";
  private static final String CHECK_TEXT = "deskgate secrets check";

  private final SecretKeySpec key;

  public SecretBox(byte[] key) {
    if (key.length != 32) {
      throw new ConfigException("the secrets key must be 32 bytes (base64 of 32 random bytes), got " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * The key from {@code secrets.key}, else from {@code secrets.key_file}, checked against the store: the
   * store keeps a value sealed with the key it was first opened with ({@code store_meta}), and a key
   * that does not open it stops the start. A missing key file is created (0600) only for a store that
   * has no such value yet; otherwise the old key must be restored, since a new one would open nothing.
   */
  public static SecretBox forStore(Config.Secrets secrets, Database db) {
    Optional<String> check = db.runNow(c -> Sql.one(c, "SELECT meta_value FROM store_meta WHERE meta_name = ?",
        rs -> rs.getString(1), CHECK_NAME));
    SecretBox box;
    String where;
    if (secrets.key() != null && !secrets.key().isBlank()) {
      box = new SecretBox(decodeKey(secrets.key().trim(), "secrets.key"));
      where = "secrets.key";
    } else {
      Path file = Path.of(secrets.keyFile());
      where = "the key file " + file;
      try {
        if (!Files.exists(file)) {
          if (check.isPresent()) {
            throw new ConfigException("the secrets key file " + file + " is missing, but the store holds secrets "
                + "sealed with a key: restore that file from a backup (or set secrets.key); Deskgate will not "
                + "replace it with a new key, which could not open them");
          }
          createKeyFile(file);
        }
        checkPermissions(file);
        box = new SecretBox(decodeKey(Files.readString(file).trim(), file.toString()));
      } catch (IOException e) {
        throw new ConfigException("cannot read or create the secrets key file " + file + ": " + e.getMessage());
      }
    }
    if (check.isEmpty()) {
      db.runNow(c -> Sql.update(c, "INSERT INTO store_meta (meta_name, meta_value) VALUES (?, ?)", CHECK_NAME,
          box.seal(CHECK_TEXT, CHECK_NAME)));
    } else {
      try {
        box.open(check.get(), CHECK_NAME);
      } catch (SecretBoxException e) {
        throw new ConfigException("the secrets key (" + where + ") is not the key this store's secrets were sealed "
            + "with: restore the right key; Deskgate will not start with a key that cannot open them");
      }
    }
    return box;
  }

  public String seal(String plaintext, String context) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + ct.length).put(nonce).put(ct);
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** Decrypts, or throws {@link SecretBoxException} when the value was not sealed by this key and context. */
  public String open(String sealed, String context) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new SecretBoxException("not a sealed value");
    }
    try {
      byte[] all = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
      if (all.length < NONCE_BYTES + 16) {
        throw new SecretBoxException("sealed value too short");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] pt = cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return new String(pt, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new SecretBoxException("sealed value does not open with this key and context");
    }
  }

  private static void createKeyFile(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    PrivateFiles.createDirectories(parent);
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String encoded = Base64.getEncoder().encodeToString(raw) + "\n";
    try {
      PrivateFiles.create(file, encoded.getBytes(StandardCharsets.UTF_8));
      log.info("generated a new secrets key in {} (mode 0600); back it up: without it stored secrets cannot be read", file);
    } catch (FileAlreadyExistsException raced) {
      // another process created it first; use theirs
    }
  }

  private static void checkPermissions(Path file) throws IOException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        log.warn("secrets key file {} is readable by others ({}); run: chmod 600 {}", file,
            PosixFilePermissions.toString(perms), file);
      }
    } catch (UnsupportedOperationException notPosix) {
      // not a POSIX file system: nothing to check
    }
  }

  private static byte[] decodeKey(String text, String where) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + " is not base64 (generate one with: head -c 32 /dev/urandom | base64)");
    }
  }

  /** A sealed value that does not open: wrong key, wrong context, or tampered. */
  public static final class SecretBoxException extends RuntimeException {
    public SecretBoxException(String message) {
      super(message);
    }
  }
}
