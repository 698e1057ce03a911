package io.deskgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

  private final PasswordHasher hasher = new PasswordHasher(10_000);

  @Test
  void hashesAreSaltedAndVerifyOnlyTheRightPassword() {
    String a = hasher.hash("s3cret-pass");
    String b = hasher.hash("s3cret-pass");
    assertThat(a).startsWith("pbkdf2-sha256$10000$").doesNotContain("s3cret-pass").isNotEqualTo(b);
    assertThat(hasher.verify("s3cret-pass", a)).isTrue();
    assertThat(hasher.verify("s3cret-pasS", a)).isFalse();
    assertThat(hasher.verify("s3cret-pass", null)).isFalse();
    assertThat(hasher.verify("s3cret-pass", "plain")).isFalse();
  }
}
