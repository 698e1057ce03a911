package io.deskgate.provider;

import io.deskgate.desktop.Desktop;
import io.deskgate.rfb.TlsSettings;

/**
 * Where a kind of desktop comes from and how it is powered. Every method blocks (processes, libvirt,
 * sockets): callers run them on worker threads. Failures are {@link ProviderException}s whose message
 * is fit for a job's {@code fail_reason} or a {@code failed_operation_list} entry.
 */
public interface DesktopProvider {

  /** {@code static}, {@code xvnc} or {@code libvirt}, as in the inventory and the store. */
  String name();

  /** A new machine for a desktop of {@code product}. */
  Machine create(String desktopId, String product, String computerName) throws ProviderException;

  /** Powers the machine on; answers where its console is now (it may move between starts). */
  Machine start(Desktop desktop) throws ProviderException;

  void stop(Desktop desktop, boolean hard) throws ProviderException;

  Machine reboot(Desktop desktop, boolean hard) throws ProviderException;

  /** Removes the machine for good; succeeds when it is already gone. */
  void delete(Desktop desktop) throws ProviderException;

  /** What the machine is doing now. */
  Observation observe(Desktop desktop);

  /**
   * A desktop's machine as its provider runs it: where its VNC server listens, its VNC password when the
   * provider just set one, and the TLS Deskgate must use with it (null: none set by the provider).
   */
  record Machine(String ref, String host, int port, String vncPassword, TlsSettings tls) {
    public Machine(String ref, String host, int port, String vncPassword) {
      this(ref, host, port, vncPassword, null);
    }
  }

  /** Powered on (and where its console listens, which may have moved), powered off, or not there. */
  record Observation(Power power, Machine machine, String detail) {}

  enum Power { RUNNING, STOPPED, UNREACHABLE, MISSING }
}
