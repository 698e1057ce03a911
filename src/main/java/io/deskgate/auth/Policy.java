package io.deskgate.auth;

import io.deskgate.api.ApiException;
import io.deskgate.store.SecretBox;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a caller may perform an action on a desktop, from the roles it holds in the project.
 * A denial answers 403 {@code WKS.00000403} with an {@code encoded_authorization_message}: the full
 * reason (user, action, resource, missing permission) sealed with authenticated encryption, which
 * only {@link #decode} (an admin call) opens again.
 */
public final class Policy {

  private static final String SEAL_CONTEXT = "authorization-message";
  private final SecretBox box;

  public Policy(SecretBox box) {
    this.box = box;
  }

  /** Fails unless some role of the caller grants {@code action} on at least the caller's own desktops. */
  public void requireAny(Caller caller, Action action, String resource) {
    if (caller.roles().stream().noneMatch(r -> r.grant(action).isPresent())) {
      throw deny(caller, action, resource, "no role of the user in the project grants the action");
    }
  }

  /** Fails unless a role of the caller grants {@code action} on a desktop assigned to {@code owner}. */
  public void require(Caller caller, Action action, String resource, String owner) {
    boolean allowed = caller.roles().stream()
        .map(r -> r.grant(action))
        .flatMap(Optional::stream)
        .anyMatch(scope -> scope == Role.Scope.ALL || caller.userName().equals(owner));
    if (!allowed) {
      throw deny(caller, action, resource, "the user's roles grant the action only on desktops assigned to the user");
    }
  }

  /** Whether a role of the caller grants {@code action} on every desktop of the project, not only its own. */
  public boolean reachesAll(Caller caller, Action action) {
    return caller.roles().stream().map(r -> r.grant(action)).flatMap(Optional::stream)
        .anyMatch(scope -> scope == Role.Scope.ALL);
  }

  /** Opens an encoded authorization message; throws {@link SecretBox.SecretBoxException} when it is not ours. */
  public JsonObject decode(String encoded) {
    return new JsonObject(box.open(encoded, SEAL_CONTEXT));
  }

  private ApiException deny(Caller caller, Action action, String resource, String reason) {
    JsonObject why = new JsonObject()
        .put("allowed", false)
        .put("user_id", caller.userId())
        .put("user_name", caller.userName())
        .put("domain_name", caller.domainName())
        .put("project_id", caller.projectId())
        .put("roles", caller.roles().stream().map(Role::id).sorted().toList())
        .put("action", action.iamName())
        .put("resource", resource)
        .put("missing_permission", action.iamName())
        .put("reason", reason)
        .put("time", Instant.now().toString());
    return ApiException.policyDenied("no permission to perform " + action.iamName() + " on " + resource + ".",
        box.seal(why.encode(), SEAL_CONTEXT));
  }
}
