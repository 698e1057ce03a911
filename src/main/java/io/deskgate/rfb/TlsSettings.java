package io.deskgate.rfb;

/**
 * TLS towards a desktop ({@code console.tls}): the CA that signed its certificate (PEM; the JVM's
 * trusted CAs when absent), the name its certificate must carry (its host when absent), an optional
 * client certificate and PKCS#8 key (PEM), and whether anonymous TLS (VeNCrypt TLSNone, TLSVnc,
 * TLSPlain: encrypted but unauthenticated) may be used at all.
 */
public record TlsSettings(String caFile, String serverName, String clientCertFile, String clientKeyFile,
                          boolean allowAnonymous) {

  public static final TlsSettings DEFAULT = new TlsSettings(null, null, null, null, false);

  /** Whether Deskgate was given a trust anchor for this desktop, or allowed to go without. */
  public boolean configured() {
    return caFile != null || allowAnonymous;
  }
}
