package io.deskgate.demo;

import io.deskgate.Deskgate;
import io.deskgate.console.ConsolePage;
import io.deskgate.web.Language;
import io.deskgate.desktop.Desktop;
import io.deskgate.inventory.Bootstrap;
import io.deskgate.provider.ProviderException;
import io.deskgate.provider.XvncProvider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./deskgate --demo}: a desktop of the xvnc provider (product {@code default}), assigned to the
 * bootstrap admin, created at the first demo and started again at the next ones, plus a fresh console
 * URL for it. Unlike other xvnc desktops it is stopped when Deskgate stops: a demo leaves nothing
 * running behind.
 */
public final class Demo implements AutoCloseable {

  public static final String DESKTOP_ID =
      UUID.nameUUIDFromBytes("deskgate-demo-desktop".getBytes(StandardCharsets.UTF_8)).toString();
  private static final String PRODUCT = "default";

  private final Deskgate node;
  private final String consoleUrl;

  private Demo(Deskgate node, String consoleUrl) {
    this.node = node;
    this.consoleUrl = consoleUrl;
  }

  public static Demo start(Deskgate node, Bootstrap.Admin admin) throws ProviderException {
    XvncProvider xvnc = node.providers().xvnc();
    Desktop existing = node.database().runNow(c -> node.desktops().find(c, DESKTOP_ID)).orElse(null);
    if (existing == null) {
      node.lifecycle().createNow(xvnc, admin.projectId(), PRODUCT, DESKTOP_ID, "demo", admin.user(),
          Map.of("provider", XvncProvider.NAME));
    } else {
      node.lifecycle().settleRunning(existing, xvnc.start(existing));
    }
    String token = node.database().transactionNow(c ->
        node.consoleTokens().issue(c, node.desktops().find(c, DESKTOP_ID).orElseThrow(), admin.userId()));
    return new Demo(node, ConsolePage.url(node.publicUrl(), token, Language.EN));
  }

  public String consoleUrl() {
    return consoleUrl;
  }

  /** Stops the demo desktop and records it as SHUTOFF. */
  @Override
  public void close() {
    node.database().runNow(c -> node.desktops().find(c, DESKTOP_ID)).ifPresent(d -> {
      node.providers().xvnc().stop(d, true);
      node.database().runNow(c -> node.desktops().setStatus(c, DESKTOP_ID, Desktop.SHUTOFF, ""));
    });
  }
}
