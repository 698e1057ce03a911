package io.deskgate.auth;

import static io.deskgate.store.Sql.one;
import static io.deskgate.store.Sql.update;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Timestamps;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.store.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Permanent access keys in IAM's shapes ({@code /v3.0/OS-CREDENTIAL/credentials}): create (the secret
 * is shown in that answer only, then kept sealed), list, show, enable/disable, delete. Users manage
 * their own keys; a {@code workspace_admin} manages the keys of any user of its domain. A disabled or
 * deleted key stops working with the next request.
 */
public final class CredentialRoutes {

  private static final String BASE = "/v3.0/OS-CREDENTIAL/credentials";
  private static final int MAX_KEYS_PER_USER = 2;
  private static final String COLUMNS = "SELECT k.access_key, k.user_id, k.status, k.created_at, k.description, u.domain_id "
      + "FROM access_keys k JOIN users u ON u.id = k.user_id ";

  private final Database db;
  private final WorkspaceAccess access;
  private final SecretBox secrets;

  public CredentialRoutes(Database db, WorkspaceAccess access, SecretBox secrets) {
    this.db = db;
    this.access = access;
    this.secrets = secrets;
  }

  private record Key(String access, String userId, String status, long created, String description, String domainId) {
    JsonObject json() {
      return new JsonObject().put("user_id", userId).put("access", access).put("status", status)
          .put("create_time", Timestamps.iam(created)).put("description", description);
    }
  }

  public void mount(Router router) {
    router.post(BASE).handler(this::create);
    router.get(BASE).handler(this::list);
    router.get(BASE + "/:access_key").handler(this::show);
    router.put(BASE + "/:access_key").handler(this::change);
    router.delete(BASE + "/:access_key").handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    JsonObject credential = credentialBody(ctx);
    access.identified(ctx).compose(caller -> db.transaction(c -> {
      String userId = credential.getValue("user_id") instanceof String s ? s : caller.userId();
      requireManageable(c, caller, userId);
      long existing = one(c, "SELECT COUNT(*) FROM access_keys WHERE user_id = ?", rs -> rs.getLong(1), userId).orElse(0L);
      if (existing >= MAX_KEYS_PER_USER) {
        throw ApiException.badParameter("A user has at most " + MAX_KEYS_PER_USER + " access keys; delete one first.");
      }
      String ak = Digests.randomPassword(20).toUpperCase(java.util.Locale.ROOT);
      String sk = Digests.randomPassword(40);
      long now = System.currentTimeMillis();
      update(c, "INSERT INTO access_keys (access_key, user_id, secret_enc, status, description, created_at) "
              + "VALUES (?, ?, ?, 'active', ?, ?)",
          ak, userId, secrets.seal(sk, IdentityStore.AccessKey.sealContext(ak)), description(credential), now);
      return new Key(ak, userId, "active", now, description(credential), caller.domainId()).json().put("secret", sk);
    })).onSuccess(key -> Responses.json(ctx, 201, new JsonObject().put("credential", key))).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String userId = ctx.queryParams().get("user_id");
    access.identified(ctx).compose(caller -> db.run(c -> {
      String who = userId == null || userId.isEmpty() ? caller.userId() : userId;
      requireManageable(c, caller, who);
      JsonArray keys = new JsonArray();
      Sql.list(c, COLUMNS + "WHERE k.user_id = ? ORDER BY k.created_at", CredentialRoutes::key, who)
          .forEach(k -> keys.add(k.json()));
      return keys;
    })).onSuccess(keys -> Responses.json(ctx, 200, new JsonObject().put("credentials", keys))).onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    access.identified(ctx).compose(caller -> db.run(c -> manageableKey(c, caller, ctx.pathParam("access_key")).json()))
        .onSuccess(key -> Responses.json(ctx, 200, new JsonObject().put("credential", key))).onFailure(ctx::fail);
  }

  private void change(RoutingContext ctx) {
    JsonObject credential = credentialBody(ctx);
    Object status = credential.getValue("status");
    if (status != null && !"active".equals(status) && !"inactive".equals(status)) {
      ctx.fail(ApiException.badParameter("credential.status must be \"active\" or \"inactive\"."));
      return;
    }
    access.identified(ctx).compose(caller -> db.transaction(c -> {
      Key key = manageableKey(c, caller, ctx.pathParam("access_key"));
      String newStatus = status == null ? key.status() : (String) status;
      String newDescription = credential.containsKey("description") ? description(credential) : key.description();
      update(c, "UPDATE access_keys SET status = ?, description = ? WHERE access_key = ?", newStatus, newDescription,
          key.access());
      return new Key(key.access(), key.userId(), newStatus, key.created(), newDescription, key.domainId()).json();
    })).onSuccess(key -> Responses.json(ctx, 200, new JsonObject().put("credential", key))).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    access.identified(ctx).compose(caller -> db.transaction(c -> {
      Key key = manageableKey(c, caller, ctx.pathParam("access_key"));
      return update(c, "DELETE FROM access_keys WHERE access_key = ?", key.access());
    })).onSuccess(n -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  /** The key, when it exists and the caller may manage it; 404 otherwise (the caller learns nothing). */
  private static Key manageableKey(Connection c, Caller caller, String accessKey) throws SQLException {
    return one(c, COLUMNS + "WHERE k.access_key = ?", CredentialRoutes::key, accessKey)
        .filter(k -> k.userId().equals(caller.userId()) || (caller.isAdmin() && k.domainId().equals(caller.domainId())))
        .orElseThrow(() -> new ApiException(404, "IAM.00000404", "The access key does not exist."));
  }

  private static void requireManageable(Connection c, Caller caller, String userId) throws SQLException {
    if (userId.equals(caller.userId())) {
      return;
    }
    boolean sameDomain = one(c, "SELECT domain_id FROM users WHERE id = ?", rs -> rs.getString(1), userId)
        .map(d -> d.equals(caller.domainId())).orElse(false);
    if (!caller.isAdmin() || !sameDomain) {
      throw new ApiException(403, "IAM.00000403", "The caller may manage only its own access keys.");
    }
  }

  private static JsonObject credentialBody(RoutingContext ctx) {
    JsonObject credential = Requests.jsonBody(ctx).map(b -> b.getValue("credential"))
        .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
        .orElseThrow(() -> ApiException.badParameter("The body must be {\"credential\": {...}}."));
    Object description = credential.getValue("description");
    if (description != null && (!(description instanceof String d) || d.length() > 255)) {
      throw ApiException.badParameter("credential.description must be a string of at most 255 characters.");
    }
    Object userId = credential.getValue("user_id");
    if (userId != null && !(userId instanceof String)) {
      throw ApiException.badParameter("credential.user_id must be a string.");
    }
    return credential;
  }

  private static String description(JsonObject credential) {
    return credential.getValue("description") instanceof String d ? d : "";
  }

  private static Key key(ResultSet rs) throws SQLException {
    return new Key(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6));
  }
}
