package io.deskgate;

import io.deskgate.config.Config;
import io.deskgate.demo.Demo;
import io.deskgate.inventory.Bootstrap;

/** What Deskgate prints once it serves: where it is, how to log in, and curl lines to try it. */
final class Walkthrough {

  private Walkthrough() {}

  /** {@code desktop}: one of the admin's project to show a console call for; null when it has none. */
  static String text(String baseUrl, Bootstrap.Admin admin, Demo demo, String desktop, Config config) {
    StringBuilder sb = new StringBuilder("\nDeskgate is running.\n\n");
    sb.append("  API base URL   ").append(baseUrl).append('\n');
    if (admin == null) {
      sb.append("  Log in with    a user of your inventory (").append(config.inventory().domains().size())
          .append(" domain(s) declared in the config file)\n");
      return sb.append('\n').toString();
    }
    sb.append("  Project id     ").append(admin.projectId()).append('\n');
    sb.append("  Log in as      user '").append(admin.user()).append("' in domain '").append(admin.domain())
        .append("', password: ");
    sb.append(admin.password() != null
        ? admin.password() + "   <- shown only now, stored hashed"
        : "the one printed at the first start (a new one: ./deskgate --reset-admin-password)");
    sb.append("\n\n");
    if (demo != null) {
      sb.append("Open the demo desktop in a browser (valid ").append(duration(config.console().tokenTtlSeconds()))
          .append(", once):\n  ").append(demo.consoleUrl()).append("\n\n");
    }
    sb.append(desktop != null ? "Get a token, then a console URL:\n" : "Get a token, then the desktops:\n");
    // the password goes into a shell variable: the lines work as printed, at the first start and after
    if (admin.password() != null) {
      sb.append("  PASSWORD='").append(admin.password()).append("'\n");
    } else {
      sb.append("  read -rsp 'Password of ").append(admin.user()).append(": ' PASSWORD; echo\n");
    }
    sb.append("  TOKEN=$(curl -s -o /dev/null -D - ").append(baseUrl).append("/v3/auth/tokens \\\n")
        .append("    -H 'Content-Type: application/json' -d '{\"auth\":{\"identity\":{\"methods\":[\"password\"],")
        .append("\"password\":{\"user\":{\"name\":\"").append(admin.user()).append("\",\"password\":\"'\"$PASSWORD\"'")
        .append("\",\"domain\":{\"name\":\"").append(admin.domain())
        .append("\"}}}},\"scope\":{\"project\":{\"id\":\"").append(admin.projectId()).append("\"}}}}' \\\n")
        .append("    | tr -d '\\r' | awk 'tolower($1)==\"x-subject-token:\" {print $2}')\n")
        .append("  [ -n \"$TOKEN\" ] || echo 'The login failed: check the password.'\n");
    if (desktop == null) {
      sb.append("  curl -s ").append(baseUrl).append("/v2/").append(admin.projectId())
          .append("/desktops -H \"X-Auth-Token: $TOKEN\"\n");
      return sb.append("There is no desktop yet: ./deskgate --demo runs a local one; docs/providers.md adds yours.\n\n")
          .toString();
    }
    sb.append("  curl -s ").append(baseUrl).append("/v2/").append(admin.projectId()).append("/desktops/")
        .append(desktop).append("/remote-consoles -H \"X-Auth-Token: $TOKEN\"\n");
    sb.append("Open the \"url\" it answers in a browser within ").append(duration(config.console().tokenTtlSeconds()))
        .append(": it works once.\n\n");
    return sb.toString();
  }

  /** {@code console.token_ttl_seconds} as a person says it. */
  static String duration(int seconds) {
    if (seconds % 60 != 0) {
      return seconds + " seconds";
    }
    int minutes = seconds / 60;
    return minutes == 1 ? "1 minute" : minutes + " minutes";
  }
}
