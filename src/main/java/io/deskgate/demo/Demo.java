package io.deskgate.demo;

import io.deskgate.Deskgate;
import io.deskgate.auth.Digests;
import io.deskgate.console.ConsolePage;
import io.deskgate.console.Language;
import io.deskgate.desktop.Desktop;
import io.deskgate.inventory.Bootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./deskgate --demo}: a real local desktop ({@link XvncDesktop}, VNC password generated and
 * sealed in the store) registered in the bootstrap project and assigned to the admin, plus a fresh
 * console URL for it.
 */
public final class Demo implements AutoCloseable {

  public static final String DESKTOP_ID =
      UUID.nameUUIDFromBytes("deskgate-demo-desktop".getBytes(StandardCharsets.UTF_8)).toString();

  private final XvncDesktop desktop;
  private final String consoleUrl;

  private Demo(XvncDesktop desktop, String consoleUrl) {
    this.desktop = desktop;
    this.consoleUrl = consoleUrl;
  }

  public static Demo start(Deskgate node, Bootstrap.Admin admin, Path runDir) throws IOException {
    String password = Digests.randomPassword(8);
    XvncDesktop xvnc = XvncDesktop.start(runDir, "Deskgate demo", password, "1280x800");
    try {
      String sealed = node.secrets().seal(password, Desktop.passwordSealContext(DESKTOP_ID));
      String token = node.database().transactionNow(c -> {
        node.desktops().upsert(c, Desktop.registered(admin.projectId(), DESKTOP_ID, "demo", admin.user(),
            List.of("127.0.0.1"), Map.of("provider", "xvnc"), new Desktop.ConsoleEndpoint("127.0.0.1", xvnc.port(), sealed)));
        node.desktops().setStatus(c, DESKTOP_ID, Desktop.ACTIVE, "");
        return node.consoleTokens().issue(c, node.desktops().find(c, DESKTOP_ID).orElseThrow(), admin.userId());
      });
      return new Demo(xvnc, ConsolePage.url(node.publicUrl(), token, Language.EN));
    } catch (RuntimeException e) {
      xvnc.close();
      throw e;
    }
  }

  public String consoleUrl() {
    return consoleUrl;
  }

  public int vncPort() {
    return desktop.port();
  }

  @Override
  public void close() {
    desktop.close();
  }
}
