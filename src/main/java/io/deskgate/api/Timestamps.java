package io.deskgate.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The two timestamp shapes of Huawei's APIs, both UTC. */
public final class Timestamps {

  private static final DateTimeFormatter IAM =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'000Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter WORKSPACE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** IAM (Keystone): six fractional digits, {@code 2026-11-27T08:16:04.123000Z}. */
  public static String iam(long epochMillis) {
    return IAM.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Workspace: milliseconds, {@code 2026-11-27T08:16:04.123Z}. */
  public static String workspace(long epochMillis) {
    return WORKSPACE.format(Instant.ofEpochMilli(epochMillis));
  }
}
