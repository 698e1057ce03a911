package io.deskgate.proxy;

/** A console session is refused before it starts, for the given reason. */
public final class ConsoleRefusal extends RuntimeException {

  private final CloseReason reason;

  public ConsoleRefusal(CloseReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public CloseReason reason() {
    return reason;
  }
}
