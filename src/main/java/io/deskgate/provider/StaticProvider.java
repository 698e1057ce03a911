package io.deskgate.provider;

import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.RfbProbe;
import io.deskgate.store.SecretBox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
   * RUNNING when the endpoint completes an RFB handshake ({@link RfbProbe}, with the desktop's VNC
   * password when it has one) within the probe timeout, counted from the connect to the ServerInit so a
   * server that drips bytes cannot stretch it; UNREACHABLE otherwise. A server that speaks RFB with
   * security the probe cannot complete is RUNNING, and probed again only after {@link #HOLD_UNSUPPORTED_NANOS}:
   * each such probe leaves a failure in the server's blacklist count.
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
    RfbProbe probe = new RfbProbe(password);
    long deadline = now + TimeUnit.MILLISECONDS.toNanos(probeTimeoutMs);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), probeTimeoutMs);
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] chunk = new byte[4096];
      while (probe.result() == RfbProbe.Result.PENDING) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return unreachable(where + ": no complete RFB handshake within " + probeTimeoutMs + " ms");
        }
        s.setSoTimeout((int) left);
        int n = in.read(chunk);
        if (n < 0) {
          return unreachable(where + ": closed during the RFB handshake");
        }
        byte[] reply = probe.feed(chunk, 0, n);
        if (reply.length > 0) {
          out.write(reply);
          out.flush();
        }
      }
    } catch (SocketTimeoutException e) {
      return unreachable(where + ": no complete RFB handshake within " + probeTimeoutMs + " ms");
    } catch (IOException e) {
      return unreachable(where + ": " + e.getMessage());
    }
    return switch (probe.result()) {
      case READY -> new Observation(Power.RUNNING, null, "RFB handshake completed");
      case UNSUPPORTED -> {
        Observation up = new Observation(Power.RUNNING, null, "speaks RFB; " + probe.detail());
        holds.put(desktop.id(), new Held(up, System.nanoTime() + HOLD_UNSUPPORTED_NANOS));
        yield up;
      }
      default -> unreachable(where + ": " + probe.detail());
    };
  }

  private static Observation unreachable(String why) {
    return new Observation(Power.UNREACHABLE, null, why);
  }
}
