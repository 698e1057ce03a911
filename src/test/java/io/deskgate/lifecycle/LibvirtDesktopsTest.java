package io.deskgate.lifecycle;

import static io.deskgate.testing.TestNode.PROJECT;
import static io.deskgate.testing.Workspace.gone;
import static io.deskgate.testing.Workspace.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskgate.testing.ConsoleClient;
import io.deskgate.testing.RfbClient;
import io.deskgate.testing.ScriptedRfb;
import io.deskgate.testing.TestNode;
import io.deskgate.testing.Workspace;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Libvirt desktops against a real libvirtd running QEMU (software emulation): created from a product's
 * template, consoles reached through the proxy, stopped (SOFT: ACPI, then powered off after the
 * timeout), started, rebooted and deleted; an existing domain declared in the inventory; a guest powered
 * off behind Deskgate's back.
 */
class LibvirtDesktopsTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final String URI = "qemu:///system";
  TestNode node;
  final List<String> domains = new ArrayList<>();

  @BeforeEach
  void libvirtRuns() throws Exception {
    String version = virsh("version");
    assertThat(version).as("libvirtd must run (./run-tests starts it)").contains("Running hypervisor");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (node != null) {
      node.close();
    }
    for (String d : domains) {
      virshQuiet("destroy", d);
      virshQuiet("undefine", d);
    }
  }

  TestNode start(String inventory) throws IOException {
    Path template = Files.createTempFile("tiny", ".xml");
    try (var in = getClass().getResourceAsStream("/libvirt/tiny.xml")) {
      Files.write(template, in.readAllBytes());
    }
    node = TestNode.start(inventory, Map.of(
        "DESKGATE_PROVIDERS_LIBVIRT_URI", URI,
        "DESKGATE_PROVIDERS_LIBVIRT_PRODUCTS", "{tiny: {template_file: \"" + template + "\"}}",
        "DESKGATE_PROVIDERS_LIBVIRT_SHUTDOWN_TIMEOUT_SECONDS", "3",
        "DESKGATE_PROVIDERS_LIBVIRT_CHECK_INTERVAL_SECONDS", "1"));
    return node;
  }

  Workspace admin() {
    return new Workspace(node, node.token("alice", "alice-pass-1", PROJECT), PROJECT);
  }

  RfbClient.ServerInit console(Workspace ws, String desktopId) {
    String token = TestNode.tokenOf(new JsonObject(ws.get("/desktops/" + desktopId + "/remote-consoles").body())
        .getString("url"));
    try (ConsoleClient client = ConsoleClient.connect(ConsoleClient.urlWithToken(node, token), null, List.of())) {
      RfbClient rfb = new RfbClient(client);
      RfbClient.ServerInit init = rfb.handshake();
      assertThat(rfb.framebufferUpdate(init)).isPositive();
      return init;
    }
  }

  @Test
  void aVirtualMachineDesktopLivesThroughTheApi() throws Exception {
    start(TestNode.standardInventory(5999));
    Workspace ws = admin();
    JsonObject job = ws.awaitJob(ws.create("tiny", "alice", "vm-life"), WAIT);
    assertThat(job.getString("status")).as(job.encodePrettily()).isEqualTo("SUCCESS");
    String id = Workspace.createdDesktops(job).get(0);
    String domain = "deskgate-" + id;
    domains.add(domain);
    assertThat(virsh("domstate", domain).trim()).isEqualTo("running");
    assertThat(ws.desktop(id).getString("status")).isEqualTo("ACTIVE");
    assertThat(console(ws, id).name()).as("the computer_name, not QEMU's own").isEqualTo("vm-life");
    int vncPort = node.node().database().runNow(c -> node.node().desktops().find(c, id).orElseThrow()).console().port();
    assertThat(ScriptedRfb.securityTypesOffered(vncPort)).as("QEMU asks for the VNC password Deskgate set in the domain XML")
        .containsExactly(2);
    assertThat(virsh("dumpxml", domain)).as("libvirt shows the password to nobody without --security-info")
        .doesNotContain("passwd=");

    String stop = ws.action("os-stop", "SOFT", id).getString("job_id");
    List<String> seen = ws.awaitDesktop(id, is("SHUTOFF"), WAIT);
    assertThat(seen).as("the status sequence of a SOFT stop").containsSubsequence("ACTIVE/powering-off", "SHUTOFF/");
    assertThat(ws.awaitJob(stop, WAIT).getString("status")).isEqualTo("SUCCESS");
    assertThat(virsh("domstate", domain).trim()).isEqualTo("shut off");
    RemoteConsoleConflict.assertConflict(ws.get("/desktops/" + id + "/remote-consoles"), "SHUTOFF");

    assertThat(ws.awaitJob(ws.action("os-start", "SOFT", id).getString("job_id"), WAIT).getString("status"))
        .isEqualTo("SUCCESS");
    assertThat(ws.desktop(id).getString("status")).isEqualTo("ACTIVE");
    assertThat(console(ws, id).name()).as("the computer_name, not QEMU's own").isEqualTo("vm-life");

    assertThat(ws.awaitJob(ws.action("reboot", "HARD", id).getString("job_id"), WAIT).getString("status"))
        .isEqualTo("SUCCESS");
    assertThat(ws.desktop(id).getString("status")).isEqualTo("ACTIVE");

    assertThat(ws.delete(id)).isEqualTo(204);
    ws.awaitDesktop(id, gone(), WAIT);
    assertThat(virshQuiet("domstate", domain)).as("the domain is undefined").isNull();
  }

  @Test
  void anExistingDomainDeclaredInTheInventoryIsServedAndFollowed() throws Exception {
    Path xml = Files.createTempFile("existing", ".xml");
    String domain = "deskgate-test-existing-" + ProcessHandle.current().pid();
    String template = new String(getClass().getResourceAsStream("/libvirt/tiny.xml").readAllBytes(), StandardCharsets.UTF_8);
    Files.writeString(xml, template.replace("${name}", domain).replace("<uuid>${uuid}</uuid>", "")
        .replace("${computer_name}", "existing"));
    virsh("define", xml.toString());
    domains.add(domain);
    virsh("start", domain);
    String inventory = TestNode.standardInventory(5999).replace(
        "        - id: " + TestNode.OTHER_PROJECT,
        "            - {id: vm-existing, computer_name: vm-existing, user_name: alice, provider: libvirt, "
            + "libvirt_domain: " + domain + "}\n        - id: " + TestNode.OTHER_PROJECT);
    start(inventory);
    Workspace ws = admin();
    ws.awaitDesktop("vm-existing", is("ACTIVE"), WAIT);
    Workspace.until(() -> ws.get("/desktops/vm-existing/remote-consoles").statusCode(), s -> s == 200, WAIT,
        "a console URL for the existing domain");
    assertThat(console(ws, "vm-existing").name()).isEqualTo("vm-existing");

    virsh("destroy", domain);
    ws.awaitDesktop("vm-existing", is("SHUTOFF"), WAIT);
  }

  static String virsh(String... args) throws Exception {
    String out = virshQuiet(args);
    if (out == null) {
      throw new IllegalStateException("virsh " + String.join(" ", args) + " failed");
    }
    return out;
  }

  /** virsh's output, or null when it fails. */
  static String virshQuiet(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() == 0 ? out : null;
  }
}
