package io.deskgate.testing;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) opening a console URL,
 * through src/test/browser/console-check.mjs. Each {@link #next} returns what the page showed when
 * it reached the next awaited state.
 */
public final class BrowserCheck implements AutoCloseable {

  private static final Path SCRIPT_DIR = Path.of(System.getProperty("deskgate.browserTestDir", "target/npm/browser-test"));

  private final Process process;
  private final BufferedReader lines;

  private BrowserCheck(Process process) {
    this.process = process;
    this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Opens {@code url}; reports when the page reaches {@code until}, then (if not null) {@code then}. */
  public static BrowserCheck open(String url, Path screenshot, String until, String then) {
    return open(url, screenshot, until, then, null);
  }

  /**
   * As {@link #open(String, Path, String, String)}, typing {@code text} and Enter once connected, with
   * further options of console-check.mjs in {@code extra} ({@code --serve DIR}, {@code --stock},
   * {@code --secret TEXT}, {@code --paste TEXT}, {@code --watch-ms N}, {@code --clipboard-ms N}).
   */
  public static BrowserCheck open(String url, Path screenshot, String until, String then, String text,
                                  String... extra) {
    List<String> command = new ArrayList<>(List.of("node", "console-check.mjs", url, screenshot.toAbsolutePath().toString(),
        "--until", until, "--timeout-ms", "30000"));
    if (then != null) {
      command.addAll(List.of("--then", then));
    }
    if (text != null) {
      command.addAll(List.of("--type", text));
    }
    command.addAll(List.of(extra));
    return start(command);
  }

  /** Runs another script of src/test/browser ({@code admin-check.mjs}) with {@code args}; {@link #next} reads its lines. */
  public static BrowserCheck script(String script, String... args) {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return start(command);
  }

  private static BrowserCheck start(List<String> command) {
    if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
      throw new IllegalStateException("playwright-core is not installed in " + SCRIPT_DIR
          + "; run the tests through ./run-tests or mvn verify (it runs npm ci there)");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      throw new IllegalStateException("/usr/bin/chromium is missing; ./run-tests installs it (apt-get install chromium)");
    }
    try {
      return new BrowserCheck(new ProcessBuilder(command).directory(SCRIPT_DIR.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The page as seen at the next awaited state. */
  public JsonObject next() {
    try {
      String line = lines.readLine();
      if (line == null) {
        throw new IllegalStateException("the browser check ended without a report");
      }
      JsonObject report = new JsonObject(line);
      if (report.containsKey("error")) {
        throw new IllegalStateException("browser check failed: " + report.getString("error"));
      }
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
