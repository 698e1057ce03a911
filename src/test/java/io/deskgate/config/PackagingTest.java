package io.deskgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What packaging/ installs holds together: the systemd unit, alone and with the drop-in for xvnc desktops,
 * passes {@code systemd-analyze verify} with nothing to say (an unknown key is only a warning there), and
 * the config skeletons load. The package
 * itself is installed and started by packaging/test-deb.sh, which run-tests runs after the suite.
 */
class PackagingTest {

  @Test
  void theSystemdUnitVerifiesCleanly() throws Exception {
    assertThat(verify(Path.of("packaging/systemd/deskgate.service").toAbsolutePath(), Map.of()))
        .as("systemd-analyze's remarks").isEmpty();
  }

  @Test
  void theUnitWithTheXvncDropInVerifiesCleanly(@TempDir Path units) throws Exception {
    Files.copy(Path.of("packaging/systemd/deskgate.service"), units.resolve("deskgate.service"));
    Files.createDirectories(units.resolve("deskgate.service.d"));
    Files.copy(Path.of("packaging/systemd/xvnc-desktops.conf"), units.resolve("deskgate.service.d/xvnc-desktops.conf"));
    assertThat(verify(units.resolve("deskgate.service"), Map.of("SYSTEMD_UNIT_PATH", units + ":")))
        .as("systemd-analyze's remarks").isEmpty();
    // the drop-in is read: a key systemd does not know in it is reported
    Files.writeString(units.resolve("deskgate.service.d/xvnc-desktops.conf"), "NoSuchKey=1\n",
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(verify(units.resolve("deskgate.service"), Map.of("SYSTEMD_UNIT_PATH", units + ":")))
        .contains("Unknown key 'NoSuchKey'");
  }

  static String verify(Path unit, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("systemd-analyze", "verify", unit.toString())
        .directory(Path.of("/tmp").toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process verify = pb.start();
    String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor()).as(said).isZero();
    return said;
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
