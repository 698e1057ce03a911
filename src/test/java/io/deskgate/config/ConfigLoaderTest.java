package io.deskgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void withoutAFileTheDefaultsStartASingleNodeOnH2() {
    Config c = ConfigLoader.load(null, Map.of());
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.store().jdbcUrl()).isEqualTo("jdbc:h2:file:./data/deskgate");
    assertThat(c.console().tokenTtlSeconds()).isEqualTo(600);
    assertThat(c.console().allowedOrigins()).isEmpty();
    assertThat(c.auth().tokenTtlSeconds()).isEqualTo(86400);
    assertThat(c.inventory().isEmpty()).isTrue();
  }

  @Test
  void theFileOverridesDefaultsAndTheEnvironmentOverridesTheFile() throws IOException {
    Path file = write("""
        http: {host: 0.0.0.0, port: 9000, public_url: https://console.example.com}
        store: {jdbc_url: "jdbc:postgresql://127.0.0.1:5432/test"}
        console: {token_ttl_seconds: 300, allowed_origins: [https://portal.example.com]}
        inventory:
          domains:
            - name: acme
              users: [{name: alice, password: pw, access_keys: [{ak: AKEXAMPLE0001, sk: sk-secret}]}]
              projects:
                - id: 0bec5db98280d2d02fd6c00c2de791ce
                  name: region-1
                  members: [{user: alice, roles: [workspace_admin]}]
                  desktops:
                    - id: d1
                      computer_name: dev-01
                      user_name: alice
                      console: {host: 127.0.0.1, port: 5901, password: vncpass}
        """);
    Config c = ConfigLoader.load(file, Map.of(
        "DESKGATE_HTTP_PORT", "9443",
        "DESKGATE_PUBLIC_URL", "https://other.example.com/",
        "DESKGATE_CONSOLE_ALLOWED_ORIGINS", "https://a.example.com, https://b.example.com",
        "DESKGATE_API_RATE_LIMIT_BURST", "7",
        "PATH", "/usr/bin"));
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().port()).isEqualTo(9443);
    assertThat(c.http().publicUrl()).isEqualTo("https://other.example.com/");
    assertThat(c.store().jdbcUrl()).startsWith("jdbc:postgresql:");
    assertThat(c.console().tokenTtlSeconds()).isEqualTo(300);
    assertThat(c.console().allowedOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
    assertThat(c.api().rateLimit().burst()).isEqualTo(7);
    assertThat(c.api().rateLimit().requestsPerSecond()).isEqualTo(100);
    Inventory.Desktop d = c.inventory().domains().get(0).projects().get(0).desktops().get(0);
    assertThat(d.console().port()).isEqualTo(5901);
    assertThat(d.console().password()).isEqualTo("vncpass");
  }

  @Test
  void theInventoryCanComeFromTheEnvironment() {
    Config c = ConfigLoader.load(null, Map.of("DESKGATE_INVENTORY", "domains: [{name: acme, users: [{name: bob}]}]"));
    assertThat(c.inventory().domains().get(0).users().get(0).name()).isEqualTo("bob");
  }

  @Test
  void aTypoInAKeyIsNamedInTheError() throws IOException {
    Path file = write("http: {prot: 9000}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'http.prot'")
        .hasMessageContaining("(did you mean 'http.port'?)");
    assertThatThrownBy(() -> ConfigLoader.load(write("consle: {recording: on}\n"), Map.of()))
        .hasMessageContaining("unknown key 'consle'").hasMessageContaining("(did you mean 'console'?)");
    assertThatThrownBy(() -> ConfigLoader.load(write("http: {flux_capacitor: 1}\n"), Map.of()))
        .hasMessageContaining("unknown key 'http.flux_capacitor'").hasMessageNotContaining("did you mean");
  }

  @Test
  void aValueOfTheWrongTypeIsNamedWithTheTypeInPlainWords() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(write("http: {port: eighty}\n"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.port' in ")
        .hasMessageEndingWith(" must be a whole number").hasMessageNotContaining("deserialize");
    assertThatThrownBy(() -> ConfigLoader.load(write("console: {allowed_origins: {a: 1}}\n"), Map.of()))
        .hasMessageContaining("'console.allowed_origins'").hasMessageContaining("must be a list");
    assertThatThrownBy(() -> ConfigLoader.load(write("http: 8080\n"), Map.of()))
        .hasMessageContaining("'http'").hasMessageContaining("must be a mapping of keys to values");
    assertThatThrownBy(() -> ConfigLoader.load(write("log: {level: LOUD}\n"), Map.of()))
        .hasMessageContaining("log.level must be TRACE, DEBUG, INFO, WARN, ERROR or OFF, got 'LOUD'");
  }

  @Test
  void badValuesAreRefusedWithTheKeyName() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_HTTP_PORT", "eighty")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_HTTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_DB_URL", "jdbc:mysql://x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("store.jdbc_url");
    assertThatThrownBy(() -> ConfigLoader.load(write("console: {allowed_origins: [\"https://x.com/path\"]}\n"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("allowed_origins");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_HTTP_TRANSPORT", "kqueue")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.transport");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_HTTP_TLS_ENGINE", "nss")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.engine");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_NODE_NAME", "node a")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("node.name");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_CLUSTER_NODE_TIMEOUT_SECONDS", "1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.node_timeout_seconds");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_AUDIT_RETENTION_DAYS", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("audit.retention_days");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_PROVIDERS_XVNC_PORTS", "5999-5900")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("providers.xvnc.ports must be FIRST-LAST");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_PROVIDERS_XVNC_DISPLAYS", "twenty")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("providers.xvnc.displays");
    for (String listen : new String[] {"9400", "127.0.0.1:", "127.0.0.1:99999", "http://x:1", "127.0.0.1:8080"}) {
      assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_METRICS_LISTEN", listen)))
          .as(listen).isInstanceOf(ConfigException.class).hasMessageContaining("metrics.listen");
    }
    assertThat(ConfigLoader.load(null, Map.of("DESKGATE_METRICS_LISTEN", "[::1]:9400")).metrics().listenHost())
        .isEqualTo("::1");
    for (String user : new String[] {"root", "", "desk top", "$(id)"}) {
      assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_PROVIDERS_XVNC_RUN_AS", user)))
          .as(user).isInstanceOf(ConfigException.class).hasMessageContaining("providers.xvnc.run_as");
    }
    assertThat(ConfigLoader.load(null, Map.of()).providers().xvnc().runAs()).isEqualTo("deskgate-desktop");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_RECORDING_STORAGE", "nfs")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recording.storage");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_RECORDING_STORAGE", "s3")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recording.s3.bucket");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_RECORDING_STORAGE", "s3",
        "DESKGATE_RECORDING_S3_BUCKET", "recordings", "DESKGATE_RECORDING_S3_ACCESS_KEY", "AK")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recording.s3.access_key");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_RECORDING_REPLAY_LINK_TTL_SECONDS", "1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recording.replay_link_ttl_seconds");
    for (String address : new String[] {"0.0.0.0", "::", "desk.example.com", "10.0.0.300"}) {
      assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DESKGATE_PROVIDERS_XVNC_LISTEN_ADDRESS", address)))
          .as(address).isInstanceOf(ConfigException.class).hasMessageContaining("providers.xvnc.listen_address");
    }
    assertThat(ConfigLoader.load(null, Map.of("DESKGATE_PROVIDERS_XVNC_LISTEN_ADDRESS", "10.0.1.11")).providers()
        .xvnc().listenAddress()).isEqualTo("10.0.1.11");
  }

  @Test
  void unknownDeskgateVariablesAreReportedNotIgnoredSilently() {
    ConfigLoader loader = new ConfigLoader();
    loader.read(null, Map.of("DESKGATE_HTTP_PROT", "1"));
    assertThat(loader.warnings()).containsExactly("ignoring unknown environment variable DESKGATE_HTTP_PROT");
  }

  @Test
  void everyKeyAndItsVariableIsDocumented() throws IOException {
    String docs = Files.readString(Path.of("docs/configuration.md"));
    ConfigLoader.keys().forEach((key, env) -> {
      assertThat(docs).as("docs/configuration.md documents " + key).contains("`" + key + "`");
      assertThat(docs).as("docs/configuration.md documents " + env).contains("`" + env + "`");
    });
    ConfigLoader.ALIASES.keySet().forEach(alias -> assertThat(docs).contains("`" + alias + "`"));
  }

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("deskgate-" + System.nanoTime() + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void recordingOnAndOffNeedNoQuotes() throws Exception {
    Config config = ConfigLoader.load(write("""
        console: {recording: on}
        inventory:
          domains:
            - name: d
              projects:
                - id: p1
                  console: {recording: off}
        """), Map.of());
    assertThat(config.console().recording()).isEqualTo("on");
    assertThat(config.inventory().domains().get(0).projects().get(0).console().recording()).isEqualTo("off");
  }
}
