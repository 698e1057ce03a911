package io.deskgate;

import io.deskgate.config.Config;
import io.deskgate.config.ConfigException;
import io.deskgate.config.ConfigLoader;
import io.deskgate.demo.Demo;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.inventory.Bootstrap;
import io.deskgate.provider.ProviderException;
import io.deskgate.provider.XvncDesktop;
import io.deskgate.rfb.DesktopTls;
import io.deskgate.store.StoreException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** The command line: {@code deskgate [--config FILE] [--demo] [--reset-admin-password]}. */
public final class Main {

  private static final String USAGE = """
      usage: deskgate [--config FILE] [--demo] [--reset-admin-password] [--help]

        --config FILE            YAML configuration (default: $DESKGATE_CONFIG, else built-in defaults)
        --demo                   also start a local desktop (TigerVNC Xvnc + openbox + xterm) and print
                                 a console URL for it
        --reset-admin-password   give the generated admin user a new password, print it, and exit
                                 (stop Deskgate first)

      Every configuration key can be set from the environment, e.g. DESKGATE_HTTP_PORT=9090.
      See docs/configuration.md.
      """;

  private Main() {}

  public static void main(String[] args) {
    DesktopTls.permitAnonymousSuites();
    PrintStream out = System.out;
    List<String> rest = new ArrayList<>(List.of(args));
    boolean demo = rest.remove("--demo");
    boolean reset = rest.remove("--reset-admin-password");
    if (rest.remove("--help") || rest.remove("-h")) {
      out.print(USAGE);
      return;
    }
    Path configFile = null;
    int at = rest.indexOf("--config");
    if (at >= 0) {
      if (at + 1 >= rest.size()) {
        fail(2, "--config needs a file name");
      }
      configFile = Path.of(rest.remove(at + 1));
      rest.remove(at);
    } else if (System.getenv(ConfigLoader.CONFIG_FILE_ENV) != null) {
      configFile = Path.of(System.getenv(ConfigLoader.CONFIG_FILE_ENV));
    }
    if (!rest.isEmpty()) {
      fail(2, "unknown argument " + rest.get(0) + "\n" + USAGE);
    }
    if (demo && !XvncDesktop.missingPrograms().isEmpty()) {
      fail(3, "--demo needs TigerVNC and a small desktop, missing: " + XvncDesktop.missingPrograms() + "\n"
          + "install them with: sudo apt-get install -y tigervnc-standalone-server tigervnc-tools openbox xterm");
    }

    Config config;
    try {
      ConfigLoader loader = new ConfigLoader();
      config = loader.read(configFile, System.getenv());
      loader.warnings().forEach(w -> System.err.println("deskgate: warning: " + w));
    } catch (ConfigException e) {
      fail(2, "configuration error: " + e.getMessage());
      return;
    }
    if (reset) {
      resetAdminPassword(config);
      return;
    }
    run(config, demo);
  }

  private static void run(Config config, boolean withDemo) {
    Deskgate node;
    try {
      node = Deskgate.start(config);
    } catch (ConfigException e) {
      fail(2, "configuration error: " + e.getMessage());
      return;
    } catch (StoreException e) {
      fail(1, e.getMessage());
      return;
    } catch (Exception e) {
      // Future.await() rethrows checked causes such as BindException unchecked: catch them all here,
      // or the start failure escapes main while Vert.x's threads keep the process alive
      fail(isBindFailure(e) ? 2 : 1, startFailure(config, e));
      return;
    }
    Optional<Bootstrap.Admin> admin = config.inventory().isEmpty()
        ? Bootstrap.ensureAdmin(node.database(), node.passwordHasher()) : Optional.empty();
    Demo demo = null;
    if (withDemo) {
      if (admin.isEmpty()) {
        node.close();
        fail(2, "--demo runs on the built-in inventory; start it without an inventory in the config");
      }
      try {
        demo = Demo.start(node, admin.get());
      } catch (ProviderException e) {
        node.close();
        fail(1, "cannot start the demo desktop: " + e.getMessage());
      }
    }
    Demo started = demo;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.drain();
      if (started != null) {
        started.close();
      }
      node.close();
      stopped.countDown();
    }, "deskgate-shutdown"));
    String desktop = demo != null ? Demo.DESKTOP_ID : admin.map(a -> node.database().runNow(c -> node.desktops()
        .list(c, a.projectId(), new DesktopStore.Filter(null, null, List.of(), List.of()), 0, 1).desktops().stream()
        .map(Desktop::id).findFirst().orElse(null))).orElse(null);
    System.out.print(Walkthrough.text(node.publicUrl(), admin.orElse(null), demo, desktop, config));
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static boolean isBindFailure(Throwable e) {
    return root(e) instanceof BindException;
  }

  private static String startFailure(Config config, Throwable e) {
    Throwable root = root(e);
    if (root instanceof BindException) {
      return "cannot listen on " + config.http().host() + ":" + config.http().port() + " (" + root.getMessage()
          + "); pick another port with DESKGATE_HTTP_PORT or http.port";
    }
    return "cannot start: " + root;
  }

  private static void resetAdminPassword(Config config) {
    try (Deskgate store = Deskgate.openStore(config)) {
      Optional<String> password = Bootstrap.resetAdminPassword(store.database(), store.passwordHasher());
      if (password.isEmpty()) {
        fail(1, "this store has no generated admin (it was set up from an inventory)");
      }
      System.out.println("new password for user " + Bootstrap.ADMIN + " (domain " + Bootstrap.DOMAIN + "): "
          + password.get());
    } catch (StoreException e) {
      fail(1, e.getMessage() + " (is Deskgate still running on this store? stop it first)");
    }
  }

  private static void fail(int status, String message) {
    System.err.println("deskgate: " + message);
    System.exit(status);
  }
}
