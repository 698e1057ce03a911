package io.deskgate.cluster;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/** One node, nobody else to tell. */
final class LocalEvents implements ClusterEvents {

  private final Map<Kind, Consumer<String>> handlers = new EnumMap<>(Kind.class);

  @Override
  public void publish(Kind kind, String subject) {
    handlers.getOrDefault(kind, s -> { }).accept(subject);
  }

  @Override
  public synchronized void on(Kind kind, Consumer<String> handler) {
    handlers.put(kind, handler);
  }

  @Override
  public void close() {
    // nothing to release
  }
}
