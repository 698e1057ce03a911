package io.deskgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of the documentation are valid as written: every YAML block parses, and every one made
 * only of configuration sections loads as a configuration file; every shell block is valid shell.
 */
class DocsExamplesTest {

  static final Pattern BLOCK = Pattern.compile("```(yaml|sh|bash)\\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path dir;

  record Block(String where, String language, String text) {}

  static List<Block> blocks() throws IOException {
    List<Block> blocks = new ArrayList<>();
    try (Stream<Path> docs = Stream.concat(Files.list(Path.of("docs")), Stream.of(Path.of("README.md")))) {
      for (Path file : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        String text = Files.readString(file);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
          int line = text.substring(0, m.start()).split("\n", -1).length;
          blocks.add(new Block(file + ":" + line, m.group(1), m.group(2)));
        }
      }
    }
    return blocks;
  }

  @Test
  void everyYamlExampleParsesAndEveryConfigurationExampleLoads() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode sections = yaml.valueToTree(Config.defaults());
    int loaded = 0;
    for (Block block : blocks()) {
      if (!block.language().equals("yaml")) {
        continue;
      }
      JsonNode node = yaml.readTree(block.text());
      assertThat(node).as(block.where()).isNotNull();
      boolean configuration = node.isObject() && node.size() > 0;
      for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
        configuration &= sections.has(keys.next());
      }
      if (configuration) {
        Path file = dir.resolve("example-" + loaded + ".yaml");
        Files.writeString(file, block.text());
        try {
          ConfigLoader.load(file, Map.of());
        } catch (ConfigException e) {
          throw new AssertionError(block.where() + " does not load: " + e.getMessage(), e);
        }
        loaded++;
      }
    }
    assertThat(loaded).as("configuration examples loaded").isGreaterThanOrEqualTo(4);
  }

  @Test
  void everyShellExampleIsValidShell() throws Exception {
    int checked = 0;
    for (Block block : blocks()) {
      if (block.language().equals("yaml")) {
        continue;
      }
      Process bash = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
      bash.getOutputStream().write(block.text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      bash.getOutputStream().close();
      String out = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(bash.waitFor()).as(block.where() + ": " + out).isZero();
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
  }
}
