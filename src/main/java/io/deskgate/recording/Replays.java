package io.deskgate.recording;

import io.deskgate.web.PageHeaders;
import io.deskgate.api.ApiException;
import io.deskgate.api.AttemptLimit;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.web.JarResources;
import io.deskgate.web.Language;
import io.deskgate.web.RequestLog;
import io.deskgate.work.WorkerPool;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaying and downloading recordings:
 * <ul>
 *   <li>{@code POST /v2/{project_id}/console-recordings/{id}/replay-links}: a one-time link to the replay
 *   page ({@code /vnc/replay.html?token=...}), for callers allowed {@code deskgate:recordings:replay};</li>
 *   <li>{@code POST /vnc/replay/stream} {@code {"token"}}: spends the link and streams the recording's
 *   records (decrypted, segment by segment, as fast as the page reads them) to the page;</li>
 *   <li>{@code GET /v2/{project_id}/console-recordings/{id}/file}: the same records as a download, for
 *   callers allowed {@code deskgate:recordings:download}.</li>
 * </ul>
 * Every replay and download is a line on {@code deskgate.audit}.
 */
public final class Replays {

  private static final Logger log = LoggerFactory.getLogger(Replays.class);
  private static final Logger audit = LoggerFactory.getLogger("deskgate.audit");

  public static final String PAGE_PATH = "/vnc/replay.html";
  private static final String ASSETS = "/vnc/replay/";
  public static final String STREAM_PATH = ASSETS + "stream";
  private static final String CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; "
      + "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";
  private static final String RECORDS_TYPE = "application/vnd.deskgate.recording-records";

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;
  private final ReplayLinks links;
  private final RecordingStorage storage;
  private final SecretBox secrets;
  private final WorkerPool readers;
  private final AttemptLimit attempts;
  private final String publicUrl;
  private final String node;
  private final Buffer page;

  public Replays(Database db, WorkspaceAccess access, Policy policy, ReplayLinks links, RecordingStorage storage,
                 SecretBox secrets, WorkerPool readers, AttemptLimit attempts, String publicUrl, String node) {
    this.node = node;
    this.db = db;
    this.access = access;
    this.policy = policy;
    this.links = links;
    this.storage = storage;
    this.secrets = secrets;
    this.readers = readers;
    this.attempts = attempts;
    this.publicUrl = publicUrl;
    this.page = JarResources.read("web/replay/replay.html");
  }

  /** The replay page's URL for a link's token. */
  public static String url(String publicUrl, String token, Language lang) {
    return publicUrl + PAGE_PATH + "?token=" + token + "&lang=" + lang.tag();
  }

  public void mount(Router router) {
    router.post("/v2/:project_id/console-recordings/:recording_id/replay-links").handler(this::issue);
    router.get("/v2/:project_id/console-recordings/:recording_id/file").handler(this::download);
    router.get(PAGE_PATH).handler(ctx -> pageHeaders(ctx)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(page));
    router.post(STREAM_PATH).handler(this::stream);
    router.get(ASSETS + "*").handler(ctx -> {
      RequestLog.asset(ctx);
      pageHeaders(ctx);
      ctx.next();
    });
    router.get(ASSETS + "*").handler(StaticHandler.create("web/replay").setDirectoryListing(false)
        .setMaxAgeSeconds(3600));
  }

  private static HttpServerResponse pageHeaders(RoutingContext ctx) {
    return PageHeaders.apply(ctx.response(), CSP, false);
  }

  private void issue(RoutingContext ctx) {
    Language lang = Language.of(ctx.request().getHeader("X-Language"), ctx.request().getHeader("Accept-Language"));
    access.caller(ctx).compose(caller -> RecordingRoutes.recording(ctx, db, policy, caller, Action.REPLAY_RECORDINGS)
        .compose(r -> {
      requireReplayable(r);
      long now = System.currentTimeMillis();
      return db.run(c -> links.issue(c, caller.projectId(), r.id(), caller.userId(), now)).map(token -> {
        audit.info("replay link for recording {} (desktop {}, user {}) issued to user {} ({}) from {}", r.id(),
            r.desktopId(), r.userId(), caller.userId(), caller.display(), RequestLog.client(ctx));
        return new JsonObject().put("url", url(publicUrl, token, lang))
            .put("expires_at", Timestamps.workspace(now + links.ttlMillis()));
      });
    })).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }

  private void download(RoutingContext ctx) {
    access.caller(ctx).compose(caller -> RecordingRoutes.recording(ctx, db, policy, caller, Action.DOWNLOAD_RECORDINGS)
        .map(r -> {
      requireReplayable(r);
      audit.info("recording {} (desktop {}, user {}) downloaded by user {} ({}) from {}", r.id(), r.desktopId(),
          r.userId(), caller.userId(), caller.display(), RequestLog.client(ctx));
      return r;
    })).compose(this::openRecords).onSuccess(reader -> {
      ctx.response().putHeader("Content-Disposition", "attachment; filename=\"" + reader.id() + ".records\"");
      send(ctx, reader);
    }).onFailure(ctx::fail);
  }

  private void stream(RoutingContext ctx) {
    String token = Requests.linkToken(ctx, attempts);
    if (token == null) {
      return;
    }
    String client = RequestLog.client(ctx);
    db.run(c -> ReplayLinks.redeem(c, token, System.currentTimeMillis())).compose(redeemed -> {
      if (redeemed.isEmpty()) {
        attempts.refused(client);
        throw new ApiException(410, "WKS.00000410", "The replay link has expired or has already been used.");
      }
      attempts.succeeded(client);
      RecordingCatalog.Entry r = redeemed.get().recording();
      requireReplayable(r);
      audit.info("recording {} (desktop {}, user {}) replayed by user {} from {}", r.id(), r.desktopId(), r.userId(),
          redeemed.get().userId(), client);
      return openRecords(r);
    }).onSuccess(reader -> send(ctx, reader)).onFailure(ctx::fail);
  }

  private void requireReplayable(RecordingCatalog.Entry r) {
    if (RecordingCatalog.RECORDING.equals(r.status())) {
      throw new ApiException(409, "WKS.00000409", "The console is still being recorded; replay it once it has ended.");
    }
    if (!storage.shared(r.location()) && !r.node().equals(node)) {
      throw new ApiException(409, "WKS.00000409", "The recording is kept on the disk of node " + r.node()
          + "; open it through that node, or keep recordings in object storage (recording.storage: s3).");
    }
  }

  private Future<RecordingFile.Reader> openRecords(RecordingCatalog.Entry r) {
    return readers.submit(() -> {
      InputStream in = storage.open(r.location());
      try {
        return new RecordingFile.Reader(in, secrets);
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
    }).recover(e -> {
      log.warn("recording {} cannot be opened at {}: {}", r.id(), r.location(), e.getMessage());
      return Future.failedFuture(e instanceof ApiException ? e
          : new ApiException(503, "WKS.00000503", "The recording cannot be read now, retry later."));
    });
  }

  /**
   * Streams the records, one segment at a time on a reader thread, writing the next only when the
   * client has taken the last; a segment that does not open cuts the response off (the client sees a
   * broken transfer, never a short recording passed off as whole).
   */
  private void send(RoutingContext ctx, RecordingFile.Reader reader) {
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, RECORDS_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").putHeader("X-Content-Type-Options", "nosniff");
    response.closeHandler(v -> closeQuietly(reader));
    pump(response, reader);
  }

  private void pump(HttpServerResponse response, RecordingFile.Reader reader) {
    if (response.closed()) {
      closeQuietly(reader);
      return;
    }
    readers.submit(reader::next).onComplete(ar -> {
      if (ar.failed()) {
        log.warn("recording {}: streaming stopped: {}", reader.id(), ar.cause().getMessage());
        closeQuietly(reader);
        response.reset();
      } else if (ar.result() == null) {
        closeQuietly(reader);
        response.end();
      } else {
        response.write(Buffer.buffer(ar.result()));
        if (response.writeQueueFull()) {
          response.drainHandler(v -> pump(response, reader));
        } else {
          pump(response, reader);
        }
      }
    });
  }

  private void closeQuietly(RecordingFile.Reader reader) {
    readers.submit(() -> {
      reader.close();
      return null;
    }).onFailure(refused -> {
      try {
        reader.close();
      } catch (IOException e) {
        log.debug("recording {}: closing its reader: {}", reader.id(), e.getMessage());
      }
    });
  }
}
