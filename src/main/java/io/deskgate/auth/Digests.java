package io.deskgate.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hashes, MACs and random secrets used across authentication and console tokens. */
public final class Digests {

  private static final java.util.regex.Pattern LINK_TOKEN =
      java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  /** A one-time link's token (console and replay links): a random UUID, 122 random bits. */
  public static String newLinkToken() {
    return java.util.UUID.randomUUID().toString();
  }

  /** Whether {@code candidate} has the form of {@link #newLinkToken}'s tokens. */
  public static boolean isLinkToken(String candidate) {
    return candidate != null && LINK_TOKEN.matcher(candidate).matches();
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private Digests() {}

  public static String sha256Hex(byte[] data) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String hmacSha256Hex(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HEX.formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Compares without leaking, through timing, where two secrets first differ. */
  public static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code bytes} random bytes, base64url without padding. */
  public static String randomToken(int bytes) {
    byte[] raw = new byte[bytes];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** A random lower-case hex id of {@code chars} characters (project, user and domain ids). */
  public static String randomHexId(int chars) {
    byte[] raw = new byte[(chars + 1) / 2];
    RANDOM.nextBytes(raw);
    return HEX.formatHex(raw).substring(0, chars);
  }

  /** A password of letters and digits, for generated admin accounts. */
  public static String randomPassword(int length) {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
