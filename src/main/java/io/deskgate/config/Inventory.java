package io.deskgate.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * Domains, users, projects and desktops declared in the config file. Applied idempotently at every
 * start by {@code InventoryApplier}: what is declared is created or updated, nothing is deleted.
 */
public record Inventory(List<Domain> domains) {

  public record Domain(String name, List<User> users, List<Project> projects) {}

  public record User(String name, String password, List<AccessKey> accessKeys) {}

  public record AccessKey(String ak, String sk) {}

  public record Project(String id, String name, List<Member> members, List<Desktop> desktops) {}

  public record Member(String user, List<String> roles) {}

  /**
   * A desktop: {@code provider} static (the default; {@code console} says where its VNC server is),
   * xvnc (Deskgate runs it from {@code product}) or libvirt (the existing domain {@code libvirtDomain}).
   */
  public record Desktop(String id, String computerName, String userName, List<String> ipAddresses,
                        Map<String, String> metadata, String provider, String product, String libvirtDomain,
                        ConsoleEndpoint console) {}

  public record ConsoleEndpoint(String host, int port, String password) {}

  @JsonIgnore
  public boolean isEmpty() {
    return domains == null || domains.isEmpty();
  }
}
