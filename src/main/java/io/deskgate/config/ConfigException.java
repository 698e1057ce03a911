package io.deskgate.config;

/** The configuration cannot be used; the message says which key and why, for the operator. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
