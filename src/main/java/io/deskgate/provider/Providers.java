package io.deskgate.provider;

import io.deskgate.config.Config;
import io.deskgate.config.ConfigException;
import io.deskgate.desktop.Desktop;
import io.deskgate.store.SecretBox;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** The providers of this node, by name, and which one serves each product. */
public final class Providers {

  private final StaticProvider staticProvider;
  private final XvncProvider xvnc;
  private final LibvirtProvider libvirt;
  private final Config.Providers config;

  public Providers(Config.Providers config, SecretBox secrets) {
    this.config = config;
    this.staticProvider = new StaticProvider(config.staticEndpoints().probeTimeoutMs(), secrets);
    this.xvnc = new XvncProvider(config.xvnc(), secrets);
    this.libvirt = new LibvirtProvider(config.libvirt());
    Set<String> both = new HashSet<>(config.xvnc().products().keySet());
    both.retainAll(config.libvirt().products().keySet());
    if (!both.isEmpty()) {
      throw new ConfigException("products " + both + " are defined for both xvnc and libvirt; give them distinct names");
    }
  }

  public DesktopProvider of(Desktop desktop) {
    return byName(desktop.source().provider());
  }

  public DesktopProvider byName(String name) {
    return switch (name) {
      case XvncProvider.NAME -> xvnc;
      case LibvirtProvider.NAME -> libvirt;
      default -> staticProvider;
    };
  }

  /** The provider whose configuration defines {@code product}. */
  public Optional<DesktopProvider> forProduct(String product) {
    if (config.xvnc().products().containsKey(product)) {
      return Optional.of(xvnc);
    }
    if (config.libvirt().products().containsKey(product)) {
      return Optional.of(libvirt);
    }
    return Optional.empty();
  }

  public Set<String> products() {
    Set<String> all = new HashSet<>(config.xvnc().products().keySet());
    all.addAll(config.libvirt().products().keySet());
    return all;
  }

  public XvncProvider xvnc() {
    return xvnc;
  }
}
