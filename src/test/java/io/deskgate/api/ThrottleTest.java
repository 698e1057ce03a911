package io.deskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskgate.config.Config;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottleTest {

  static final long SECOND = 1_000_000_000L;
  final AtomicLong now = new AtomicLong(1_000 * SECOND);

  @Test
  void aKeyHasItsBurstThenItsRateAndKeysAreSeparate() {
    Throttle throttle = new Throttle(new Config.RateLimit(1, 3), now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.allows("a")).isTrue();
    }
    assertThat(throttle.allows("a")).isFalse();
    assertThat(throttle.allows("b")).isTrue();
    now.addAndGet(SECOND);
    assertThat(throttle.allows("a")).isTrue();
    assertThat(throttle.allows("a")).isFalse();
    assertThatThrownBy(() -> throttle.check("a")).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(429));
  }

  @Test
  void aRateOfZeroIsOff() {
    Throttle throttle = new Throttle(new Config.RateLimit(0, 0), now::get);
    for (int i = 0; i < 1000; i++) {
      assertThat(throttle.allows("a")).isTrue();
    }
  }

  @Test
  void refusalsInARowBackOffDoublingUpToTheMaximumAndASuccessClears() {
    RefusalBackoff backoff = new RefusalBackoff(4, now::get);
    for (int i = 0; i < RefusalBackoff.FREE_FAILURES; i++) {
      assertThat(backoff.allows("a")).isTrue();
      backoff.refused("a");
    }
    assertThat(backoff.allows("a")).isTrue();
    backoff.refused("a");
    assertThat(backoff.allows("a")).isFalse();
    now.addAndGet(SECOND);
    assertThat(backoff.allows("a")).isTrue();
    backoff.refused("a");
    now.addAndGet(SECOND);
    assertThat(backoff.allows("a")).isFalse();
    now.addAndGet(SECOND);
    assertThat(backoff.allows("a")).isTrue();
    backoff.refused("a");
    backoff.refused("a");
    now.addAndGet(4 * SECOND);
    assertThat(backoff.allows("a")).as("capped at the maximum").isTrue();
    assertThat(backoff.allows("b")).isTrue();
    backoff.succeeded("a");
    backoff.refused("a");
    assertThat(backoff.allows("a")).isTrue();
  }

  @Test
  void anAttemptLimitWithRateZeroIsOffBackOffIncluded() {
    AttemptLimit limit = new AttemptLimit(new Config.RateLimit(0, 0), 300, now::get);
    for (int i = 0; i < 50; i++) {
      limit.refused("a");
    }
    assertThat(limit.allows("a")).isTrue();
  }
}
