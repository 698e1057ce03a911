package io.deskgate.auth;

import io.deskgate.api.ApiException;
import io.deskgate.api.Throttle;
import io.deskgate.web.RequestLog;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * The entry of every authenticated API call. A Workspace call on {@code /v2/{project_id}/...}: a
 * malformed project id (such as a client's unfilled {@code {project_id}} placeholder) is a route that
 * does not exist; then the caller is authenticated for that project. An IAM call: the caller is
 * identified by its token or signature. Either way the caller is then named in the access log and
 * throttled.
 */
public final class WorkspaceAccess {

  private static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Authenticator authenticator;
  private final Throttle throttle;

  public WorkspaceAccess(Authenticator authenticator, Throttle throttle) {
    this.authenticator = authenticator;
    this.throttle = throttle;
  }

  public Future<Caller> caller(RoutingContext ctx) {
    String projectId = ctx.pathParam("project_id");
    if (projectId == null || !PROJECT_ID.matcher(projectId).matches()) {
      return Future.failedFuture(ApiException.noSuchApi());
    }
    return authenticator.authenticate(ctx, projectId).map(caller -> admit(ctx, caller));
  }

  /** The caller of an IAM call (no project in the path); see {@link Authenticator#identify}. */
  public Future<Caller> identified(RoutingContext ctx) {
    return authenticator.identify(ctx).map(caller -> admit(ctx, caller));
  }

  /** Names an authenticated caller in the access log and counts the call against its rate limit. */
  public Caller admit(RoutingContext ctx, Caller caller) {
    RequestLog.caller(ctx, caller.display());
    throttle.check("user:" + caller.userId());
    return caller;
  }
}
