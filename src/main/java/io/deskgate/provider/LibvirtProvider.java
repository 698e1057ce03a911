package io.deskgate.provider;

import io.deskgate.auth.Digests;
import io.deskgate.config.Config;
import io.deskgate.desktop.Desktop;
import io.deskgate.store.PrivateFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * KVM/QEMU virtual machines managed by libvirt, through {@code virsh} (the libvirt client that every
 * libvirt host has; the Java binding would add JNA and a native library to the jar for the same calls).
 * A desktop is the domain {@code deskgate-<desktop id>}, defined from its product's template XML; its
 * console is the domain's VNC graphics, read from the live XML at every start because libvirt may
 * give it another port each time.
 */
public final class LibvirtProvider implements DesktopProvider {

  public static final String NAME = "libvirt";
  private static final Logger log = LoggerFactory.getLogger(LibvirtProvider.class);
  private static final long VIRSH_TIMEOUT_SECONDS = 120;

  private final Config.Libvirt config;

  public LibvirtProvider(Config.Libvirt config) {
    this.config = config;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The libvirt domain name of a desktop created by Deskgate. */
  public static String domainName(String desktopId) {
    return "deskgate-" + desktopId;
  }

  @Override
  public Machine create(String desktopId, String product, String computerName) throws ProviderException {
    Config.LibvirtProduct p = product == null ? null : config.products().get(product);
    if (p == null) {
      throw ProviderException.unknownProduct(NAME, product, config.products().keySet());
    }
    String name = domainName(desktopId);
    String xml;
    try {
      xml = Files.readString(Path.of(p.templateFile()))
          .replace("${name}", name)
          .replace("${uuid}", uuidOf(desktopId))
          .replace("${computer_name}", escape(computerName));
    } catch (IOException e) {
      throw new ProviderException("cannot read the template of product " + product + ": " + e.getMessage());
    }
    String password = Digests.randomPassword(8);
    xml = withVncPassword(xml, password);
    Path file = null;
    try {
      file = PrivateFiles.createTemp("deskgate-domain-", ".xml");
      Files.writeString(file, xml);
      virsh("define", file.toString());
    } catch (IOException e) {
      throw new ProviderException("cannot write the domain XML: " + e.getMessage());
    } finally {
      deleteQuietly(file);
    }
    try {
      virsh("start", name);
      Machine started = machine(name);
      return new Machine(started.ref(), started.host(), started.port(), password);
    } catch (ProviderException e) {
      try {
        virsh("undefine", name);
      } catch (ProviderException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  @Override
  public Machine start(Desktop desktop) throws ProviderException {
    String name = desktop.source().ref();
    if (!"running".equals(state(name))) {
      virsh("start", name);
    }
    return machine(name);
  }

  /** HARD: power off at once. SOFT: an ACPI shutdown, then power off if the guest has not stopped in time. */
  @Override
  public void stop(Desktop desktop, boolean hard) throws ProviderException {
    String name = desktop.source().ref();
    if ("shut off".equals(state(name))) {
      return;
    }
    if (!hard) {
      virsh("shutdown", name);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.shutdownTimeoutSeconds());
      while (System.nanoTime() < deadline) {
        if ("shut off".equals(state(name))) {
          return;
        }
        sleep(500);
      }
      log.info("libvirt: {} did not shut down within {} s; powering it off", name, config.shutdownTimeoutSeconds());
    }
    virsh("destroy", name);
  }

  /** HARD: a reset. SOFT: a stop (ACPI, then power off) and a start. */
  @Override
  public Machine reboot(Desktop desktop, boolean hard) throws ProviderException {
    if (hard && "running".equals(state(desktop.source().ref()))) {
      virsh("reset", desktop.source().ref());
      return machine(desktop.source().ref());
    }
    stop(desktop, hard);
    return start(desktop);
  }

  @Override
  public void delete(Desktop desktop) throws ProviderException {
    String name = desktop.source().ref();
    String state = state(name);
    if (state == null) {
      return;
    }
    if (!"shut off".equals(state)) {
      virsh("destroy", name);
    }
    virsh("undefine", name);
  }

  @Override
  public Observation observe(Desktop desktop) {
    String name = desktop.source().ref();
    try {
      String state = state(name);
      if (state == null) {
        return new Observation(Power.MISSING, null, "libvirt has no domain " + name);
      }
      if (state.equals("running") || state.equals("paused") || state.equals("in shutdown")) {
        return new Observation(Power.RUNNING, machine(name), state);
      }
      return new Observation(Power.STOPPED, null, state);
    } catch (ProviderException e) {
      return new Observation(Power.UNREACHABLE, null, e.getMessage());
    }
  }

  /** The domain's state as virsh names it ({@code running}, {@code shut off}, ...), null when it does not exist. */
  private String state(String name) throws ProviderException {
    try {
      return virsh("domstate", name).trim();
    } catch (ProviderException e) {
      if (e.getMessage().contains("failed to get domain") || e.getMessage().contains("Domain not found")) {
        return null;
      }
      throw e;
    }
  }

  /**
   * The template's VNC graphics with {@code password} as its VNC password (VNC Authentication), unless
   * the template sets one itself: a desktop Deskgate creates has a secret only Deskgate (and the host's
   * libvirt administrators) know.
   */
  static String withVncPassword(String xml, String password) throws ProviderException {
    try {
      Document doc = parse(xml);
      NodeList graphics = doc.getElementsByTagName("graphics");
      for (int i = 0; i < graphics.getLength(); i++) {
        Element g = (Element) graphics.item(i);
        if ("vnc".equals(g.getAttribute("type")) && !g.hasAttribute("passwd")) {
          g.setAttribute("passwd", password);
        }
      }
      TransformerFactory tf = TransformerFactory.newInstance();
      tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      StringWriter out = new StringWriter();
      tf.newTransformer().transform(new DOMSource(doc), new StreamResult(out));
      return out.toString();
    } catch (Exception e) {
      throw new ProviderException("the product's domain template is not valid XML: " + e.getMessage());
    }
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Where the running domain's VNC server listens, and its VNC password, from its live XML (with
   * {@code --security-info}, without which libvirt leaves the password out).
   */
  private Machine machine(String name) throws ProviderException {
    String xml = virsh("dumpxml", "--security-info", name);
    try {
      NodeList graphics = parse(xml).getElementsByTagName("graphics");
      for (int i = 0; i < graphics.getLength(); i++) {
        Element g = (Element) graphics.item(i);
        if ("vnc".equals(g.getAttribute("type"))) {
          int port = Integer.parseInt(g.getAttribute("port"));
          String listen = g.getAttribute("listen");
          String host = listen.isEmpty() || listen.equals("0.0.0.0") || listen.equals("::") ? "127.0.0.1" : listen;
          if (port > 0) {
            return new Machine(name, host, port, g.getAttribute("passwd").isEmpty() ? null : g.getAttribute("passwd"));
          }
        }
      }
    } catch (Exception e) {
      throw new ProviderException("cannot read the VNC graphics of " + name + ": " + e.getMessage());
    }
    throw new ProviderException("domain " + name + " has no VNC graphics with a port (is it running?)");
  }

  private String virsh(String... args) throws ProviderException {
    List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", config.uri()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
        try {
          return p.getErrorStream().readAllBytes();
        } catch (IOException e) {
          return new byte[0];
        }
      });
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(VIRSH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ProviderException("virsh " + args[0] + " did not finish within " + VIRSH_TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        String message = new String(err.join(), StandardCharsets.UTF_8).trim().replaceAll("\\s+", " ");
        throw new ProviderException("virsh " + args[0] + " failed: " + message);
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ProviderException("cannot run virsh (install libvirt-clients): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted while running virsh");
    }
  }

  private static String uuidOf(String desktopId) {
    try {
      return UUID.fromString(desktopId).toString();
    } catch (IllegalArgumentException notAUuid) {
      return UUID.nameUUIDFromBytes(desktopId.getBytes(StandardCharsets.UTF_8)).toString();
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
        .replace("\"", "&quot;");
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
