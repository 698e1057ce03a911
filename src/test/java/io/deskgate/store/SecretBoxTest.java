package io.deskgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskgate.config.Config;
import io.deskgate.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

  @TempDir
  Path dir;

  private Database store() {
    return Database.open(new Config.Store("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath(), null, null, 2, 5000,
        10));
  }

  @Test
  void aGeneratedKeyFileIsPrivateAndReusedAtTheNextStart() throws Exception {
    Path keyFile = dir.resolve("sub/secret.key");
    try (Database db = store()) {
      SecretBox first = SecretBox.forStore(new Config.Secrets(null, keyFile.toString()), db);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
      String sealed = first.seal("vnc-password", "ctx");
      SecretBox second = SecretBox.forStore(new Config.Secrets(null, keyFile.toString()), db);
      assertThat(second.open(sealed, "ctx")).isEqualTo("vnc-password");
    }
  }

  @Test
  void aLostKeyFileIsNotReplacedOnceTheStoreHoldsSecrets() throws Exception {
    Path keyFile = dir.resolve("secret.key");
    try (Database db = store()) {
      SecretBox.forStore(new Config.Secrets(null, keyFile.toString()), db);
      Files.delete(keyFile);
      assertThatThrownBy(() -> SecretBox.forStore(new Config.Secrets(null, keyFile.toString()), db))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("secrets key file " + keyFile + " is missing")
          .hasMessageContaining("restore");
      assertThat(keyFile).doesNotExist();
    }
  }

  @Test
  void aKeyThatIsNotTheStoresIsRefused() {
    try (Database db = store()) {
      SecretBox.forStore(new Config.Secrets(Base64.getEncoder().encodeToString(new byte[32]), null), db);
      byte[] other = new byte[32];
      other[0] = 7;
      assertThatThrownBy(() -> SecretBox.forStore(new Config.Secrets(Base64.getEncoder().encodeToString(other), null),
          db))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("is not the key this store's secrets were sealed with");
    }
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
    try (Database db = store()) {
      assertThatThrownBy(() -> SecretBox.forStore(new Config.Secrets("c2hvcnQ=", null), db))
          .hasMessageContaining("32 bytes");
    }
  }
}
