package io.deskgate.rfb;

import java.util.Locale;

/**
 * Which RFB security Deskgate uses towards a desktop's VNC server ({@code console.security}):
 * {@code auto} takes the strongest type both sides support, the others insist on one family.
 */
public enum SecurityMode {
  AUTO, NONE, VNC, VENCRYPT;

  /** The mode a config value names; null when it names none. */
  public static SecurityMode parse(String value) {
    if (value == null || value.isBlank()) {
      return AUTO;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
