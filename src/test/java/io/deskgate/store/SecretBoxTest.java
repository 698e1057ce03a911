package io.deskgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskgate.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

  @TempDir
  Path dir;

  @Test
  void aGeneratedKeyFileIsPrivateAndReusedAtTheNextStart() throws Exception {
    Path keyFile = dir.resolve("sub/secret.key");
    SecretBox first = SecretBox.fromConfig(new Config.Secrets(null, keyFile.toString()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    String sealed = first.seal("vnc-password", "ctx");
    SecretBox second = SecretBox.fromConfig(new Config.Secrets(null, keyFile.toString()));
    assertThat(second.open(sealed, "ctx")).isEqualTo("vnc-password");
  }

  @Test
  void sealedValuesHideThePlaintextAndOpenOnlyInTheirContext() {
    SecretBox box = new SecretBox(new byte[32]);
    String sealed = box.seal("sk-secret", "access-key:AK1");
    assertThat(sealed).startsWith("v1.").doesNotContain("sk-secret");
    assertThat(box.seal("sk-secret", "access-key:AK1")).isNotEqualTo(sealed);
    assertThat(box.open(sealed, "access-key:AK1")).isEqualTo("sk-secret");
    assertThatThrownBy(() -> box.open(sealed, "access-key:AK2")).isInstanceOf(SecretBox.SecretBoxException.class);
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThatThrownBy(() -> new SecretBox(otherKey).open(sealed, "access-key:AK1"))
        .isInstanceOf(SecretBox.SecretBoxException.class);
    String tampered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("A") ? "BB" : "AA");
    assertThatThrownBy(() -> box.open(tampered, "access-key:AK1")).isInstanceOf(SecretBox.SecretBoxException.class);
  }

  @Test
  void aKeyFromConfigMustBe32Bytes() {
    assertThatThrownBy(() -> SecretBox.fromConfig(new Config.Secrets("c2hvcnQ=", null)))
        .hasMessageContaining("32 bytes");
  }
}
