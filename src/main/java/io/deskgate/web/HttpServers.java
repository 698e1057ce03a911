package io.deskgate.web;

import io.deskgate.config.ConfigException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The node's HTTP servers: one per event loop, all on one port, as Vert.x shares a port between
 * servers that listen on it from different contexts (the acceptor hands each new connection to the
 * next loop). Every request and every WebSocket stays on the loop that accepted its connection, and so
 * does the desktop connection a console opens from there. Port 0 becomes one shared free port.
 */
public final class HttpServers {

  private final List<HttpServer> servers;

  private HttpServers(List<HttpServer> servers) {
    this.servers = servers;
  }

  /** Binds {@code loops} servers; blocks until all listen, or throws the first bind failure. */
  public static HttpServers listen(Vertx vertx, HttpServerOptions options, int loops, Handler<HttpServer> setUp) {
    // a negative port is Vert.x's "one random port shared by every server asking for this number"
    HttpServerOptions shared = new HttpServerOptions(options).setPort(options.getPort() == 0 ? -1 : options.getPort());
    List<HttpServer> servers = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> context -> {
      HttpServer server = vertx.createHttpServer(shared);
      setUp.handle(server);
      servers.add(server);
      return server.listen();
    }, new DeploymentOptions().setInstances(loops)).await();
    return new HttpServers(List.copyOf(servers));
  }

  /**
   * Fails with a {@link ConfigException} when another process already listens on {@code host:port}; run
   * before anything is opened or written, so that a second start on a taken port ends at once.
   */
  public static void requirePortFree(String host, int port, String setting) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      throw new ConfigException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
          + "): another process uses it; stop it or change " + setting);
    } catch (IOException e) {
      throw new ConfigException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
          + "): check " + setting);
    }
  }

  public int port() {
    return servers.get(0).actualPort();
  }

  public int count() {
    return servers.size();
  }

  /** Stops accepting and closes connections, giving requests in flight up to {@code seconds}. */
  public void shutdown(int seconds) {
    Future.all(servers.stream().map(s -> s.shutdown(seconds, TimeUnit.SECONDS)).toList()).await();
  }
}
