package io.deskgate.cluster;

import java.util.function.Consumer;

/** One node, nobody else to tell. */
final class LocalEvents implements ClusterEvents {

  private volatile Consumer<String> closeDesktop = id -> { };

  @Override
  public void closeDesktop(String desktopId) {
    closeDesktop.accept(desktopId);
  }

  @Override
  public void onCloseDesktop(Consumer<String> handler) {
    this.closeDesktop = handler;
  }

  @Override
  public void close() {
    // nothing to release
  }
}
