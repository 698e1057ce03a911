package io.deskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** List parameters as clients send them: integers in a range, times in ISO 8601 with an offset. */
class RequestsTest {

  static MultiMap query(String... pairs) {
    MultiMap q = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      q.add(pairs[i], pairs[i + 1]);
    }
    return q;
  }

  @Test
  void anIntegerParameterIsItsDefaultWhenAbsentAndRefusedOutsideItsRange() {
    assertThat(Requests.intParam(query(), "limit", 100, 1, 1000)).isEqualTo(100);
    assertThat(Requests.intParam(query("limit", "1000"), "limit", 100, 1, 1000)).isEqualTo(1000);
    for (String bad : new String[] {"0", "1001", "ten", "9999999999", "-1"}) {
      assertThatThrownBy(() -> Requests.intParam(query("limit", bad), "limit", 100, 1, 1000)).as(bad)
          .isInstanceOf(ApiException.class).hasMessageContaining("limit must be an integer from 1 to 1000");
    }
  }

  @Test
  void aTimeParameterTakesAnInstantWithAnyOffsetAndRefusesTheRest() {
    assertThat(Requests.timeParam(query(), "since")).isNull();
    assertThat(Requests.timeParam(query("since", "2026-12-04T08:00:00Z"), "since")).isEqualTo(1_796_371_200_000L);
    assertThat(Requests.timeParam(query("since", "2026-12-04T16:00:00.000+08:00"), "since")).isEqualTo(1_796_371_200_000L);
    for (String bad : new String[] {"yesterday", "2026-12-04", "2026-12-04T08:00:00", "1796371200000"}) {
      assertThatThrownBy(() -> Requests.timeParam(query("since", bad), "since")).as(bad)
          .isInstanceOf(ApiException.class).hasMessageContaining("since must be a time such as");
    }
    ApiException tooLong = (ApiException) org.assertj.core.api.Assertions.catchThrowable(
        () -> Requests.timeParam(query("until", "x".repeat(500)), "until"));
    assertThat(tooLong.getMessage()).as("what is echoed is cut short").hasSizeLessThan(120);
  }
}
