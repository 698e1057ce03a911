package io.deskgate.provider;

import io.deskgate.desktop.Desktop;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Desktops whose VNC server already runs somewhere (declared in the inventory). Deskgate cannot power
 * them; it probes them (a TCP connection and the RFB banner) to tell whether they are reachable.
 */
public final class StaticProvider implements DesktopProvider {

  public static final String NAME = "static";
  private final int probeTimeoutMs;

  public StaticProvider(int probeTimeoutMs) {
    this.probeTimeoutMs = probeTimeoutMs;
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

  /** RUNNING when the endpoint answers with an RFB banner within the probe timeout, else UNREACHABLE. */
  @Override
  public Observation observe(Desktop desktop) {
    Desktop.ConsoleEndpoint endpoint = desktop.console();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), probeTimeoutMs);
      s.setSoTimeout(probeTimeoutMs);
      InputStream in = s.getInputStream();
      byte[] banner = in.readNBytes(12);
      String text = new String(banner, StandardCharsets.US_ASCII);
      if (banner.length == 12 && text.matches("RFB \\d{3}\\.\\d{3}\n")) {
        return new Observation(Power.RUNNING, null, text.trim());
      }
      return new Observation(Power.UNREACHABLE, null, "no RFB banner from " + endpoint.host() + ":" + endpoint.port());
    } catch (IOException e) {
      return new Observation(Power.UNREACHABLE, null, endpoint.host() + ":" + endpoint.port() + ": " + e.getMessage());
    }
  }
}
