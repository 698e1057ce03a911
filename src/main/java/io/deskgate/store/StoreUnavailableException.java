package io.deskgate.store;

/** The database cannot be reached right now; the caller may retry later (HTTP 503). */
public final class StoreUnavailableException extends StoreException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
