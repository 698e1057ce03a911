package io.deskgate.auth;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.store.SecretBox;
import io.deskgate.web.RequestLog;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v5/decode-authorization-message}: turns the {@code encoded_authorization_message} of a
 * policy denial back into its reason, for a {@code workspace_admin} of the same domain only.
 */
public final class AuthorizationMessageRoute {

  private final Authenticator authenticator;
  private final Policy policy;

  public AuthorizationMessageRoute(Authenticator authenticator, Policy policy) {
    this.authenticator = authenticator;
    this.policy = policy;
  }

  public void mount(Router router) {
    router.post("/v5/decode-authorization-message").handler(this::decode);
  }

  private void decode(RoutingContext ctx) {
    Object encoded = Requests.jsonBody(ctx).map(b -> b.getValue("encoded_authorization_message")).orElse(null);
    if (!(encoded instanceof String text) || text.isEmpty() || text.length() > 8192) {
      ctx.fail(ApiException.badParameter("The body must be {\"encoded_authorization_message\": \"...\"}."));
      return;
    }
    String message = text;
    authenticator.identify(ctx).map(caller -> {
      RequestLog.caller(ctx, caller.display());
      if (!caller.isAdmin()) {
        throw new ApiException(403, "IAM.00000403", "Only a workspace_admin may decode authorization messages.");
      }
      JsonObject reason;
      try {
        reason = policy.decode(message);
      } catch (SecretBox.SecretBoxException | DecodeException e) {
        throw ApiException.badParameter("The encoded authorization message is not valid.");
      }
      if (!caller.domainName().equals(reason.getString("domain_name"))) {
        throw new ApiException(403, "IAM.00000403", "The message concerns another domain.");
      }
      return reason;
    }).onSuccess(reason -> Responses.json(ctx, 200,
        new JsonObject().put("decoded_authorization_message", reason.encode()))).onFailure(ctx::fail);
  }
}
