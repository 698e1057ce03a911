package io.deskgate.store;

/** The store failed in a way a retry will not fix (a bug, a broken schema): an internal error. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
