package io.deskgate.proxy;

import io.deskgate.rfb.ClientMessages;
import io.deskgate.rfb.ServerMessages;
import java.util.Locale;

/**
 * What a console may do, fixed when its token is redeemed: view-only or full (bound to the token at
 * issue), which way the clipboard may flow, how consoles on one desktop share it, and whether it is
 * recorded.
 */
public record ConsolePolicy(boolean viewOnly, Clipboard clipboard, Viewers viewers, Recording recording) {

  public static final ConsolePolicy DEFAULT = new ConsolePolicy(false, Clipboard.BOTH, Viewers.SHARED, Recording.OFF);

  /**
   * {@code console.recording}: off; on (recorded when the recorder works, the console goes on when it
   * does not); required (no recording, no console).
   */
  public enum Recording { OFF, ON, REQUIRED }

  /** {@code console.clipboard}: which way cut text may flow. */
  public enum Clipboard {
    BOTH, TO_DESKTOP, FROM_DESKTOP, NONE;

    public boolean toDesktop() {
      return this == BOTH || this == TO_DESKTOP;
    }

    public boolean fromDesktop() {
      return this == BOTH || this == FROM_DESKTOP;
    }
  }

  /**
   * {@code console.viewers}: shared (many consoles at once), exclusive (a second one is refused while
   * one is live), takeover (a new one ends the old ones).
   */
  public enum Viewers { SHARED, EXCLUSIVE, TAKEOVER }

  /** The enum constant a config value names ({@code to_desktop} for TO_DESKTOP); null when it names none. */
  public static <E extends Enum<E>> E parse(Class<E> type, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public static String configName(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** The desktop's stream must be framed to find cut text in it when the clipboard is closed towards the browser. */
  public boolean scansDesktop() {
    return !clipboard.fromDesktop();
  }

  /** What may pass from the browser, and which encodings it may ask for. */
  ClientMessages.Policy browserPolicy() {
    if (scansDesktop()) {
      return new ClientMessages.Policy(viewOnly, clipboard.toDesktop(), ServerMessages::framed);
    }
    if (clipboard != Clipboard.BOTH) {
      return new ClientMessages.Policy(viewOnly, clipboard.toDesktop(), e -> e != ServerMessages.EXTENDED_CLIPBOARD);
    }
    return new ClientMessages.Policy(viewOnly, true, null);
  }

  /** For the session list and logs. */
  public String mode() {
    return viewOnly ? "view" : "full";
  }
}
