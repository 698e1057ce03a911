package io.deskgate.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * Domains, users, projects and desktops declared in the config file. Applied idempotently at every
 * start by {@code InventoryApplier}: what is declared is created or updated, nothing is deleted.
 */
public record Inventory(List<Domain> domains) {

  /** The ids of the desktops the file declares. */
  @JsonIgnore
  public java.util.Set<String> desktopIds() {
    return domains == null ? java.util.Set.of() : domains.stream()
        .flatMap(d -> d.projects() == null ? java.util.stream.Stream.empty() : d.projects().stream())
        .flatMap(p -> p.desktops() == null ? java.util.stream.Stream.empty() : p.desktops().stream())
        .map(Desktop::id).filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  public record Domain(String name, List<User> users, List<Project> projects) {}

  public record User(String name, String password, List<AccessKey> accessKeys) {}

  public record AccessKey(String ak, String sk) {}

  /** {@code console}: the project's console policy (clipboard, viewers), over the config's. */
  public record Project(String id, String name, List<Member> members, List<Desktop> desktops, ConsolePolicy console) {}

  /** Console policy: {@code clipboard} both|to_desktop|from_desktop|none, {@code viewers} shared|exclusive|takeover. */
  public record ConsolePolicy(String clipboard, String viewers, String recording) {}

  public record Member(String user, List<String> roles) {}

  /**
   * A desktop: {@code provider} static (the default; {@code console} says where its VNC server is),
   * xvnc (Deskgate runs it from {@code product}) or libvirt (the existing domain {@code libvirtDomain}).
   */
  public record Desktop(String id, String computerName, String userName, List<String> ipAddresses,
                        Map<String, String> metadata, String provider, String product, String libvirtDomain,
                        String node, ConsoleEndpoint console) {}

  /**
   * A desktop's console: for a static desktop, its VNC server and how to pass its security
   * ({@code security} auto (the default), none, vnc or vencrypt; {@code username} for VeNCrypt's Plain
   * subtypes; {@code tls} for VeNCrypt); for any desktop, its console policy over its project's.
   */
  public record ConsoleEndpoint(String host, Integer port, String password, String security, String username,
                                ConsoleTls tls, String clipboard, String viewers, String recording) {}

  /** TLS towards a desktop: see {@code io.deskgate.rfb.TlsSettings}. */
  public record ConsoleTls(String caFile, String serverName, String clientCertFile, String clientKeyFile,
                           Boolean allowAnonymous) {}

  @JsonIgnore
  public boolean isEmpty() {
    return domains == null || domains.isEmpty();
  }
}
