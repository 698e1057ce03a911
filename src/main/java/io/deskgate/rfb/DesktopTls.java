package io.deskgate.rfb;

import java.io.IOException;
import java.io.InputStream;
import java.net.IDN;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS towards a desktop's VNC server (VeNCrypt's X509 subtypes): the server's chain must lead to the
 * desktop's CA ({@code tls.ca_file}; the JVM's trusted CAs when absent) and its certificate must name
 * the desktop ({@code tls.server_name}, else the host Deskgate connects to). The two checks are made
 * one after the other, so a failure says which it was ({@link Untrusted} or {@link Mismatch}).
 * Files are read here: build contexts off the event loop.
 */
public final class DesktopTls {

  /** The server's certificate does not lead to a trusted CA (or is expired, or malformed). */
  public static final class Untrusted extends CertificateException {
    Untrusted(Throwable cause) {
      super("the desktop's certificate is not trusted: " + cause.getMessage(), cause);
    }
  }

  /** The server's certificate is trusted but made out to another name. */
  public static final class Mismatch extends CertificateException {
    Mismatch(String name, Throwable cause) {
      super("the desktop's certificate does not match " + name + ": " + cause.getMessage(), cause);
    }
  }

  private static final Pattern PEM_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private final SSLContext verified;
  private final TlsSettings settings;

  private DesktopTls(SSLContext verified, TlsSettings settings) {
    this.verified = verified;
    this.settings = settings;
  }

  /**
   * Lets this JVM use anonymous Diffie-Hellman suites at all (Java lists {@code anon} among
   * {@code jdk.tls.disabledAlgorithms}). They stay out of every engine's default suites, so nothing
   * uses them but {@link #anonymousEngine} and {@link #anonymousSocket}, for desktops that allow
   * anonymous TLS. Java reads the list once, at its first TLS use: call this before anything else.
   */
  public static void permitAnonymousSuites() {
    String property = "jdk.tls.disabledAlgorithms";
    String disabled = Security.getProperty(property);
    if (disabled != null) {
      Security.setProperty(property, Arrays.stream(disabled.split(",")).map(String::trim)
          .filter(a -> !a.equals("anon")).collect(Collectors.joining(", ")));
    }
  }

  /** Trusting the JVM's CAs, without a client certificate: made once, shared by desktops without TLS files. */
  private static volatile SSLContext jvmTrust;

  /** Reads the settings' files and prepares contexts. */
  public static DesktopTls load(TlsSettings settings) throws IOException, GeneralSecurityException {
    if (settings.caFile() == null && settings.clientCertFile() == null) {
      SSLContext shared = jvmTrust;
      if (shared == null) {
        shared = context(settings);
        jvmTrust = shared;
      }
      return new DesktopTls(shared, settings);
    }
    return new DesktopTls(context(settings), settings);
  }

  private static SSLContext context(TlsSettings settings) throws IOException, GeneralSecurityException {
    KeyStore trust = null;
    if (settings.caFile() != null) {
      trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate ca : certificates(settings.caFile())) {
        trust.setCertificateEntry("ca" + i++, ca);
      }
      if (i == 0) {
        throw new CertificateException(settings.caFile() + " holds no certificate");
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    X509ExtendedTrustManager base = Arrays.stream(tmf.getTrustManagers())
        .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast).findFirst()
        .orElseThrow(() -> new GeneralSecurityException("no X.509 trust manager in this Java runtime"));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers(settings), new TrustManager[] {new TwoStepTrust(base)}, null);
    return context;
  }

  /** A client engine for the desktop at {@code host}, verifying its certificate, with SNI when the name is a host name. */
  public SSLEngine engine(String host, int port) {
    String name = nameToVerify(host);
    SSLEngine engine = verified.createSSLEngine(name, port);
    engine.setUseClientMode(true);
    engine.setSSLParameters(verifying(engine.getSSLParameters(), name));
    return engine;
  }

  /** The same over a blocking socket already connected to the desktop (for probes). */
  public SSLSocket socket(Socket plain, String host, int port) throws IOException {
    String name = nameToVerify(host);
    SSLSocket s = (SSLSocket) verified.getSocketFactory().createSocket(plain, name, port, false);
    s.setUseClientMode(true);
    s.setSSLParameters(verifying(s.getSSLParameters(), name));
    return s;
  }

  private String nameToVerify(String host) {
    return settings.serverName() != null ? settings.serverName() : host;
  }

  private static SSLParameters verifying(SSLParameters params, String name) {
    params.setEndpointIdentificationAlgorithm("HTTPS");
    if (!name.matches("[0-9.]+|.*:.*")) {
      params.setServerNames(List.of(new SNIHostName(IDN.toASCII(name))));
    }
    return params;
  }

  /**
   * A client engine for anonymous TLS (VeNCrypt TLSNone, TLSVnc, TLSPlain: anonymous Diffie-Hellman,
   * TLS 1.2): encrypted, but nothing proves who answers. Only for desktops that allow it.
   */
  public SSLEngine anonymousEngine(String host, int port) throws SSLException {
    SSLEngine engine = verified.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    engine.setEnabledCipherSuites(anonymousSuites(engine.getSupportedCipherSuites()));
    engine.setEnabledProtocols(new String[] {"TLSv1.2"});
    return engine;
  }

  /** The same over a blocking socket already connected to the desktop (for probes). */
  public SSLSocket anonymousSocket(Socket plain, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) verified.getSocketFactory().createSocket(plain, host, port, false);
    s.setUseClientMode(true);
    s.setEnabledCipherSuites(anonymousSuites(s.getSupportedCipherSuites()));
    s.setEnabledProtocols(new String[] {"TLSv1.2"});
    return s;
  }

  private static String[] anonymousSuites(String[] supported) throws SSLException {
    String[] anonymous = Arrays.stream(supported).filter(s -> s.contains("_anon_")).toArray(String[]::new);
    if (anonymous.length == 0) {
      throw new SSLException("this Java runtime offers no anonymous TLS cipher suite");
    }
    return anonymous;
  }

  /** Why TLS with a desktop failed, from the exception the handshake ended with. */
  public enum Fault { UNTRUSTED, MISMATCH, OTHER }

  public static Fault fault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Untrusted) {
        return Fault.UNTRUSTED;
      }
      if (t instanceof Mismatch) {
        return Fault.MISMATCH;
      }
    }
    return Fault.OTHER;
  }

  private static KeyManager[] keyManagers(TlsSettings settings) throws IOException, GeneralSecurityException {
    if (settings.clientCertFile() == null) {
      return null;
    }
    Collection<? extends Certificate> chain = certificates(settings.clientCertFile());
    PrivateKey key = privateKey(settings.clientKeyFile());
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    char[] none = new char[0];
    store.setKeyEntry("client", key, none, chain.toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, none);
    return kmf.getKeyManagers();
  }

  private static Collection<? extends Certificate> certificates(String file) throws IOException, CertificateException {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  private static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
    Matcher m = PEM_KEY.matcher(Files.readString(Path.of(file), StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new GeneralSecurityException(file + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException notThisOne) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file + ": not an RSA, EC or Ed25519 key");
  }

  /** The JVM's checks, split: first the chain (no name), then the chain with the name. */
  private static final class TwoStepTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager base;

    TwoStepTrust(X509ExtendedTrustManager base) {
      this.base = base;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, authType, () -> base.checkServerTrusted(chain, authType, engine), engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain, authType, () -> base.checkServerTrusted(chain, authType, socket),
          ((SSLSocket) socket).getHandshakeSession().getPeerHost());
    }

    /** The chain alone first ({@link Untrusted}), then the chain with the name ({@link Mismatch}). */
    private void check(X509Certificate[] chain, String authType, NamedCheck withName, String name)
        throws CertificateException {
      try {
        base.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        throw new Untrusted(e);
      }
      try {
        withName.run();
      } catch (CertificateException e) {
        throw new Mismatch(name, e);
      }
    }

    private interface NamedCheck {
      void run() throws CertificateException;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a desktop's certificate is checked with its name");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("Deskgate is the client here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("Deskgate is the client here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("Deskgate is the client here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return base.getAcceptedIssuers();
    }
  }
}
