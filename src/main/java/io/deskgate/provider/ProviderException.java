package io.deskgate.provider;

import java.util.Set;

/** A provider could not do what it was asked; the message says why, for the operator and the API client. */
public final class ProviderException extends Exception {

  private final String code;

  public ProviderException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ProviderException(String message) {
    this("WKS.00000500", message);
  }

  /** The error code for a {@code failed_operation_list} entry. */
  public String code() {
    return code;
  }

  public static ProviderException unknownProduct(String provider, String product, Set<String> products) {
    return new ProviderException("WKS.00000400", "unknown " + provider + " product '" + product + "'; products are "
        + products);
  }

  public static ProviderException notSupported(String provider, String operation) {
    return new ProviderException("WKS.00000501", operation + " is not supported by provider " + provider);
  }
}
