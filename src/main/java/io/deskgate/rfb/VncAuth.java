package io.deskgate.rfb;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFB's VNC Authentication (RFC 6143, 7.2.2): the 16-byte challenge encrypted with DES, keyed by the
 * first 8 bytes of the password (zero-padded) with each byte's bits mirrored, as VNC has always done.
 */
public final class VncAuth {

  public static final int CHALLENGE_BYTES = 16;

  private VncAuth() {}

  public static byte[] response(byte[] challenge, String password) {
    if (challenge.length != CHALLENGE_BYTES) {
      throw new IllegalArgumentException("a VNC challenge has 16 bytes");
    }
    byte[] key = new byte[8];
    byte[] given = password.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < key.length && i < given.length; i++) {
      key[i] = (byte) (Integer.reverse(given[i] & 0xff) >>> 24);
    }
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
      return des.doFinal(challenge);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES is not available in this Java runtime", e);
    }
  }
}
