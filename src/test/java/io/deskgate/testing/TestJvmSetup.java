package io.deskgate.testing;

import io.deskgate.rfb.DesktopTls;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * What {@code Main} does first in a Deskgate process, done once for the test JVM before any test runs
 * (nodes in tests run in this JVM): anonymous TLS suites permitted, as Java reads that list only once.
 */
public final class TestJvmSetup implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    DesktopTls.permitAnonymousSuites();
  }
}
