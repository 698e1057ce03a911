package io.deskgate.provider;

import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.ClientHandshake;
import io.deskgate.rfb.DesktopTls;
import io.deskgate.store.SecretBox;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * Desktops whose VNC server already runs somewhere (declared in the inventory). Deskgate cannot power
 * them; it probes them (an RFB handshake up to ServerInit) to tell whether they are reachable.
 */
public final class StaticProvider implements DesktopProvider {

  public static final String NAME = "static";
  static final long HOLD_UNSUPPORTED_NANOS = TimeUnit.MINUTES.toNanos(5);

  private record Held(Observation observation, long until) {}

  private final int probeTimeoutMs;
  private final SecretBox secrets;
  private final Map<String, Held> holds = new ConcurrentHashMap<>();

  public StaticProvider(int probeTimeoutMs, SecretBox secrets) {
    this.probeTimeoutMs = probeTimeoutMs;
    this.secrets = secrets;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Machine create(String desktopId, String product, String computerName) throws ProviderException {
    throw new ProviderException("WKS.00000400", "static desktops are declared in the inventory, not created");
  }

  @Override
  public Machine start(Desktop desktop) throws ProviderException {
    throw ProviderException.notSupported(NAME, "os-start");
  }

  @Override
  public void stop(Desktop desktop, boolean hard) throws ProviderException {
    throw ProviderException.notSupported(NAME, "os-stop");
  }

  @Override
  public Machine reboot(Desktop desktop, boolean hard) throws ProviderException {
    throw ProviderException.notSupported(NAME, "reboot");
  }

  @Override
  public void delete(Desktop desktop) {
    // nothing runs on Deskgate's side: forgetting the desktop is all there is to do
  }

  /**
   * RUNNING when the endpoint completes an RFB handshake ({@link ClientHandshake}, with the desktop's
   * credentials and TLS settings, as a console would) within the probe timeout, counted from the connect
   * to the ServerInit so a server that drips bytes cannot stretch it; UNREACHABLE otherwise. A server
   * that speaks RFB with security the desktop's config does not allow is RUNNING, and probed again only
   * after {@link #HOLD_UNSUPPORTED_NANOS}: each such probe leaves a failure in the server's blacklist count.
   */
  @Override
  public Observation observe(Desktop desktop) {
    Held held = holds.get(desktop.id());
    long now = System.nanoTime();
    if (held != null && now - held.until() < 0) {
      return held.observation();
    }
    holds.remove(desktop.id());
    Desktop.ConsoleEndpoint endpoint = desktop.console();
    String where = endpoint.host() + ":" + endpoint.port();
    String password = endpoint.passwordSealed() == null ? null
        : secrets.open(endpoint.passwordSealed(), Desktop.passwordSealContext(desktop.id()));
    ClientHandshake handshake = new ClientHandshake(endpoint.credentials(password));
    long deadline = now + TimeUnit.MILLISECONDS.toNanos(probeTimeoutMs);
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), probeTimeoutMs);
      plain.setTcpNoDelay(true);
      Socket s = plain;
      byte[] chunk = new byte[4096];
      while (handshake.outcome() == ClientHandshake.Outcome.PENDING) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return unreachable(where + ": no complete RFB handshake within " + probeTimeoutMs + " ms");
        }
        s.setSoTimeout((int) left);
        int n = s.getInputStream().read(chunk);
        if (n < 0) {
          return unreachable(where + ": closed during the RFB handshake");
        }
        byte[] reply = handshake.feed(chunk, 0, n).reply();
        if (handshake.outcome() == ClientHandshake.Outcome.START_TLS) {
          s = tls(plain, endpoint, handshake.anonymousTls());
          reply = handshake.tlsEstablished();
        }
        if (reply.length > 0) {
          s.getOutputStream().write(reply);
          s.getOutputStream().flush();
        }
      }
    } catch (SocketTimeoutException e) {
      return unreachable(where + ": no complete RFB handshake within " + probeTimeoutMs + " ms");
    } catch (IOException | GeneralSecurityException e) {
      return unreachable(where + ": " + e.getMessage());
    }
    if (handshake.outcome() == ClientHandshake.Outcome.READY) {
      return new Observation(Power.RUNNING, null, "RFB handshake completed");
    }
    if (handshake.failure() == ClientHandshake.Failure.NO_COMMON_SECURITY) {
      Observation up = new Observation(Power.RUNNING, null, "speaks RFB; " + handshake.detail());
      holds.put(desktop.id(), new Held(up, System.nanoTime() + HOLD_UNSUPPORTED_NANOS));
      return up;
    }
    return unreachable(where + ": " + handshake.detail());
  }

  /** The probe's connection in TLS, as VeNCrypt asked, verified as a console's would be. */
  private static Socket tls(Socket plain, Desktop.ConsoleEndpoint endpoint, boolean anonymous)
      throws IOException, GeneralSecurityException {
    DesktopTls tls = DesktopTls.load(endpoint.tls());
    SSLSocket s = anonymous ? tls.anonymousSocket(plain, endpoint.host(), endpoint.port())
        : tls.socket(plain, endpoint.host(), endpoint.port());
    s.setSoTimeout(plain.getSoTimeout());
    s.startHandshake();
    return s;
  }

  private static Observation unreachable(String why) {
    return new Observation(Power.UNREACHABLE, null, why);
  }
}
