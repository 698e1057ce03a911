package io.deskgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What packaging/ installs holds together: the systemd unit passes {@code systemd-analyze verify} with
 * nothing to say (an unknown key is only a warning there), and the config skeleton loads. The package
 * itself is installed and started by packaging/test-deb.sh, which run-tests runs after the suite.
 */
class PackagingTest {

  @Test
  void theSystemdUnitVerifiesCleanly() throws Exception {
    Process verify = new ProcessBuilder("systemd-analyze", "verify",
        Path.of("packaging/systemd/deskgate.service").toAbsolutePath().toString())
        .directory(Path.of("/tmp").toFile()).redirectErrorStream(true).start();
    String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor()).as(said).isZero();
    assertThat(said).as("systemd-analyze's remarks").isEmpty();
  }

  @Test
  void theConfigSkeletonsLoad() {
    for (String skeleton : new String[] {"packaging/deskgate.yaml", "packaging/container/deskgate.yaml"}) {
      Config config = ConfigLoader.load(Path.of(skeleton), Map.of());
      assertThat(config.store().jdbcUrl()).as(skeleton).startsWith("jdbc:h2:file:/var/lib/deskgate/");
      assertThat(config.secrets().keyFile()).as(skeleton).isEqualTo("/var/lib/deskgate/secret.key");
    }
  }
}
