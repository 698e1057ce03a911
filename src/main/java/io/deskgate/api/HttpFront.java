package io.deskgate.api;

import io.deskgate.web.ClientAddresses;
import io.deskgate.web.Metrics;
import io.deskgate.web.RequestLog;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request passes here before the router: what the framework would answer with a plain-text
 * status, a 500 or not at all is answered in the contract's error format instead. Refused: a missing
 * or repeated {@code Host}, control characters and malformed or NUL percent-escapes in the URI,
 * control characters in header values, a {@code Transfer-Encoding} other than chunked, a WebSocket
 * upgrade request with a body (Vert.x would aggregate it and answer a bare 413), and a body
 * declared larger than {@code api.max_body_bytes} (413 before a byte of it is read). A request whose
 * body has not fully arrived within {@code http.body_timeout_seconds} gets 408. Answers to requests
 * whose body is left unread end the connection, since what follows on it cannot be trusted.
 * The same answers serve requests Netty's decoder could not parse ({@link #invalidRequest}).
 */
public final class HttpFront implements Handler<HttpServerRequest> {

  private static final Logger log = LoggerFactory.getLogger("deskgate.http");
  /** After a refusal that leaves a body unread, the client has this long to read the answer before the close. */
  private static final long LINGER_MS = 1000;

  private final Vertx vertx;
  private final Handler<HttpServerRequest> next;
  private final ClientAddresses clients;
  private final Metrics metrics;
  private final long maxBodyBytes;
  private final int bodyTimeoutSeconds;

  public HttpFront(Vertx vertx, Handler<HttpServerRequest> next, ClientAddresses clients, Metrics metrics,
                   long maxBodyBytes, int bodyTimeoutSeconds) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.next = next;
    this.clients = clients;
    this.maxBodyBytes = maxBodyBytes;
    this.bodyTimeoutSeconds = bodyTimeoutSeconds;
  }

  @Override
  public void handle(HttpServerRequest req) {
    ApiException problem = problem(req);
    if (problem != null) {
      refuse(req, problem);
      return;
    }
    if (declaresBody(req)) {
      vertx.setTimer(TimeUnit.SECONDS.toMillis(bodyTimeoutSeconds), t -> {
        if (!req.isEnded() && !req.response().ended() && !req.response().closed()) {
          refuse(req, ApiException.bodyTimeout(bodyTimeoutSeconds));
        }
      });
    }
    next.handle(req);
  }

  /** For {@code HttpServer.invalidRequestHandler}: requests that Netty's decoder could not parse. */
  public void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = ApiException.httpFault(414, "The request line is too long.");
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      error = ApiException.httpFault(431, "The request headers are too large.");
    } else {
      error = ApiException.badParameter(cause instanceof ConnectionGuard.CodingConflict
          ? "The request has both Transfer-Encoding and Content-Length."
          : cause instanceof ConnectionGuard.UnsupportedVersion
          ? "Only HTTP/1.1 and HTTP/1.0 are spoken here." : "The request is not valid HTTP.");
    }
    refuse(req, error);
  }

  private ApiException problem(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_1_0 && req.headers().getAll(HttpHeaders.HOST).size() != 1) {
      return ApiException.badParameter("The request must carry exactly one Host header.");
    }
    String uriProblem = uriProblem(req.uri());
    if (uriProblem != null) {
      return ApiException.badParameter(uriProblem);
    }
    for (Map.Entry<String, String> header : req.headers()) {
      if (hasControlCharacter(header.getValue())) {
        return ApiException.badParameter("The header " + safeName(header.getKey()) + " contains a control character.");
      }
    }
    List<String> codings = req.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!codings.isEmpty() && !(codings.size() == 1 && codings.get(0).trim().equalsIgnoreCase("chunked"))) {
      return ApiException.badParameter("Transfer-Encoding other than chunked is not accepted.");
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        return ApiException.badParameter("Content-Length is not a number.");
      }
      if (declared > maxBodyBytes) {
        return ApiException.bodyTooLarge((int) maxBodyBytes);
      }
    }
    if ("websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE)) && declaresBody(req)) {
      return ApiException.badParameter("A WebSocket upgrade request carries no body.");
    }
    return null;
  }

  /** Why a raw request URI cannot be served, or null: it must be printable ASCII with well-formed escapes. */
  static String uriProblem(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "The request URI contains a character that must be percent-encoded.";
      }
      if (c == '%') {
        if (i + 2 >= uri.length() || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2))) {
          return "The request URI has a malformed percent-escape.";
        }
        if (uri.charAt(i + 1) == '0' && uri.charAt(i + 2) == '0') {
          return "The request URI contains an escaped NUL character.";
        }
        i += 2;
      }
    }
    return null;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  private static String safeName(String name) {
    return name.length() <= 64 && !hasControlCharacter(name) ? name : "(unnamed)";
  }

  /** Whether the request's head announces a body (chunked, or a length other than 0). */
  static boolean declaresBody(HttpServerRequest req) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.trim().equals("0"));
  }

  /**
   * Answers with the contract's error body, then ends the connection without reading on: what follows a
   * refused request on it (an unread body, the rest of a bad head) cannot be trusted.
   */
  private void refuse(HttpServerRequest req, ApiException error) {
    String id = RequestLog.newId();
    var response = req.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(RequestLog.REQUEST_ID, id)
        .putHeader(HttpHeaders.CONNECTION, "close");
    metrics.refusedAtTheEdge(error.status());
    log.info("req={} {} {} -> {} refused: {} client={}", id, req.method(), pathOf(req), error.status(),
        error.getMessage(), clients.of(req));
    response.end(error.body(id).encode()).onComplete(done -> closeAfterAnswer(req.connection()));
  }

  /** The path for a log line: up to the query, at most 200 characters (the log masks tokens anyway). */
  private static String pathOf(HttpServerRequest req) {
    String uri = req.uri() == null ? "" : req.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    return path.length() > 200 ? path.substring(0, 200) + "..." : path;
  }

  /**
   * Stops reading, sends FIN after the answer and closes a little later: a client still sending its body
   * gets to read the answer instead of a reset, and nothing more it sends is parsed.
   */
  private static void closeAfterAnswer(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      connection.close();
      return;
    }
    Channel channel = base.channel();
    channel.config().setAutoRead(false);
    if (channel instanceof DuplexChannel duplex && channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null) {
      duplex.shutdownOutput();
    }
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, LINGER_MS, TimeUnit.MILLISECONDS);
  }
}
