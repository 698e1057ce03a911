package io.deskgate.auth;

import io.deskgate.api.ApiException;
import io.deskgate.api.KeystoneException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.api.Throttle;
import io.deskgate.api.Timestamps;
import io.deskgate.store.Database;
import io.deskgate.web.RequestLog;
import io.deskgate.work.WorkerPool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The Keystone v3 token calls of IAM: {@code POST /v3/auth/tokens} (password method, project scope by
 * id or name), {@code GET} (validate {@code X-Subject-Token}) and {@code DELETE} (revoke it). Errors
 * in Keystone's shape.
 */
public final class IamRoutes {

  private static final int MAX_NAME = 255;

  private final WorkerPool hashing;
  private final Database db;
  private final IdentityStore identities;
  private final IamTokens tokens;
  private final PasswordHasher hasher;
  private final Authenticator authenticator;
  private final Throttle loginsPerAddress;
  private final Throttle loginsPerUser;
  private final Set<String> hashingFor = ConcurrentHashMap.newKeySet();
  private final WorkspaceAccess access;
  /** Tells every node to forget a revoked token's hash (the cluster's events). */
  private final Consumer<String> forgetEverywhere;

  public IamRoutes(WorkerPool hashing, Database db, IdentityStore identities, IamTokens tokens, PasswordHasher hasher,
                   Authenticator authenticator, Throttle loginsPerAddress, Throttle loginsPerUser, WorkspaceAccess access,
                   Consumer<String> forgetEverywhere) {
    this.hashing = hashing;
    this.db = db;
    this.identities = identities;
    this.tokens = tokens;
    this.hasher = hasher;
    this.authenticator = authenticator;
    this.loginsPerAddress = loginsPerAddress;
    this.loginsPerUser = loginsPerUser;
    this.access = access;
    this.forgetEverywhere = forgetEverywhere;
  }

  public void mount(Router router) {
    router.post("/v3/auth/tokens").handler(this::create);
    router.get("/v3/auth/tokens").handler(this::validate);
    router.delete("/v3/auth/tokens").handler(this::revoke);
  }

  /** A password login: who, in which domain, scoped to which project. */
  private record Login(String userName, String userId, String domainName, String password,
                       String projectId, String projectName) {}

  /** The user a login names and the project it asks for; the project is null when it is not the user's. */
  private record Subject(IdentityStore.User user, IdentityStore.Project project, Set<Role> roles) {}

  private void create(RoutingContext ctx) {
    // every limit before the store and the password hash: a flood costs a map lookup, not PBKDF2
    String client = RequestLog.client(ctx);
    loginsPerAddress.check(client);
    Login login = parseLogin(ctx);
    RequestLog.caller(ctx, login.userId() != null ? "id:" + login.userId() : login.userName() + "@" + login.domainName());
    loginsPerUser.check(login.userId() != null ? "id:" + login.userId()
        : login.domainName().toLowerCase(Locale.ROOT) + "/" + login.userName().toLowerCase(Locale.ROOT));
    // one password check in flight per client address: a flood from one place holds one hash thread at most
    if (!hashingFor.add(client)) {
      throw ApiException.throttled();
    }
    db.run(c -> findSubject(c, login))
        .compose(subject -> hashing.submit(
            () -> hasher.verify(login.password(), subject == null ? null : subject.user().passwordHash()))
            .map(ok -> {
              if (!ok || subject == null) {
                throw KeystoneException.unauthorized("The username or password is wrong.");
              }
              if (subject.project() == null || subject.roles().isEmpty()) {
                throw KeystoneException.unauthorized("The user has no access to the requested project.");
              }
              return subject;
            }))
        .compose(subject -> db.run(c -> tokens.issue(c, subject.user().id(), subject.project().id(), "password"))
            .map(issued -> {
              RequestLog.caller(ctx, subject.user().name() + "@" + subject.user().domainName());
              ctx.response().putHeader("X-Subject-Token", issued.token());
              Responses.json(ctx, 201, body(subject, "password", issued.issuedAt(), issued.expiresAt()));
              return null;
            }))
        .onComplete(done -> hashingFor.remove(client))
        .onFailure(ctx::fail);
  }

  private void validate(RoutingContext ctx) {
    withSubjectToken(ctx, (caller, subjectToken) -> db.run(c -> {
      IamTokens.Stored stored = tokens.find(c, subjectToken)
          .filter(s -> !s.revoked() && !s.expired(System.currentTimeMillis()))
          .orElseThrow(() -> KeystoneException.notFound("The token could not be found."));
      requireSameUser(caller, stored);
      IdentityStore.User user = identities.userById(c, stored.userId()).orElseThrow();
      IdentityStore.Project project = identities.projectById(c, stored.projectId()).orElseThrow();
      return body(new Subject(user, project, identities.roles(c, project.id(), user.id())), stored.methods(),
          stored.issuedAt(), stored.expiresAt());
    }).map(body -> {
      ctx.response().putHeader("X-Subject-Token", subjectToken);
      Responses.json(ctx, 200, body);
      return null;
    }));
  }

  private void revoke(RoutingContext ctx) {
    withSubjectToken(ctx, (caller, subjectToken) -> db.run(c -> {
      IamTokens.Stored stored = tokens.find(c, subjectToken)
          .filter(s -> !s.revoked())
          .orElseThrow(() -> KeystoneException.notFound("The token could not be found."));
      requireSameUser(caller, stored);
      return tokens.revoke(c, subjectToken);
    }).map(revoked -> {
      String hash = Digests.sha256Hex(subjectToken);
      authenticator.forget(hash);
      forgetEverywhere.accept(hash);
      ctx.response().setStatusCode(204).end();
      return null;
    }));
  }

  @FunctionalInterface
  private interface SubjectCall {
    Future<Void> apply(Caller caller, String subjectToken);
  }

  private void withSubjectToken(RoutingContext ctx, SubjectCall call) {
    String callerToken = ctx.request().getHeader("X-Auth-Token");
    String subjectToken = ctx.request().getHeader("X-Subject-Token");
    if (callerToken == null || callerToken.isBlank()) {
      ctx.fail(KeystoneException.unauthorized("The request you have made requires authentication."));
      return;
    }
    if (subjectToken == null || subjectToken.isBlank()) {
      ctx.fail(KeystoneException.badRequest("X-Subject-Token header is required."));
      return;
    }
    db.run(c -> {
      try {
        return authenticator.tokenCaller(c, callerToken);
      } catch (ApiException e) {
        throw KeystoneException.unauthorized("The request you have made requires authentication.");
      }
    }).compose(caller -> call.apply(access.admit(ctx, caller), subjectToken)).onFailure(ctx::fail);
  }

  private static void requireSameUser(Caller caller, IamTokens.Stored stored) {
    if (!stored.userId().equals(caller.userId())) {
      throw KeystoneException.forbidden("You are not authorized to perform the requested action on another user's token.");
    }
  }

  private Subject findSubject(Connection c, Login login) throws SQLException {
    IdentityStore.User user = (login.userId() != null
        ? identities.userById(c, login.userId())
        : identities.userByName(c, login.domainName(), login.userName()))
        .filter(IdentityStore.User::enabled).orElse(null);
    if (user == null) {
      return null;
    }
    IdentityStore.Project project = (login.projectId() != null
        ? identities.projectById(c, login.projectId()).filter(p -> p.domainId().equals(user.domainId()))
        : identities.projectByName(c, user.domainId(), login.projectName()))
        .orElse(null);
    return new Subject(user, project, project == null ? Set.of() : identities.roles(c, project.id(), user.id()));
  }

  private static Login parseLogin(RoutingContext ctx) {
    JsonObject body = Requests.jsonBody(ctx)
        .orElseThrow(() -> KeystoneException.badRequest("The request body is not a JSON object."));
    JsonObject auth = object(body, "auth");
    JsonObject identity = object(auth, "identity");
    JsonArray methods = identity.getValue("methods") instanceof JsonArray a ? a : null;
    if (methods == null || !methods.contains("password")) {
      throw KeystoneException.badRequest("auth.identity.methods must contain \"password\".");
    }
    JsonObject user = object(object(identity, "password"), "user");
    String password = text(user, "password", "auth.identity.password.user.password");
    String userId = optionalText(user, "id");
    String userName = userId == null ? text(user, "name", "auth.identity.password.user.name") : null;
    String domainName = userId == null
        ? text(object(user, "domain"), "name", "auth.identity.password.user.domain.name") : null;
    JsonObject scope = auth.getValue("scope") instanceof JsonObject s ? s : null;
    JsonObject project = scope == null ? null : scope.getValue("project") instanceof JsonObject p ? p : null;
    if (project == null) {
      throw KeystoneException.badRequest("auth.scope.project (id or name) is required.");
    }
    String projectId = optionalText(project, "id");
    String projectName = projectId == null ? text(project, "name", "auth.scope.project.name") : null;
    return new Login(userName, userId, domainName, password, projectId, projectName);
  }

  private static JsonObject object(JsonObject parent, String key) {
    if (parent.getValue(key) instanceof JsonObject o) {
      return o;
    }
    throw KeystoneException.badRequest("Expecting to find " + key + " in the request body.");
  }

  private static String text(JsonObject parent, String key, String path) {
    String value = optionalText(parent, key);
    if (value == null) {
      throw KeystoneException.badRequest("Expecting to find " + path + " in the request body.");
    }
    return value;
  }

  private static String optionalText(JsonObject parent, String key) {
    Object value = parent.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_NAME) {
      throw KeystoneException.badRequest(key + " must be a string of 1-" + MAX_NAME + " characters.");
    }
    return s;
  }

  private static JsonObject body(Subject s, String methods, long issuedAt, long expiresAt) {
    JsonObject domain = new JsonObject().put("id", s.user().domainId()).put("name", s.user().domainName());
    JsonArray roles = new JsonArray();
    s.roles().forEach(r -> roles.add(new JsonObject().put("id", Digests.sha256Hex(r.id()).substring(0, 32))
        .put("name", r.id())));
    return new JsonObject().put("token", new JsonObject()
        .put("expires_at", Timestamps.iam(expiresAt))
        .put("issued_at", Timestamps.iam(issuedAt))
        .put("methods", new JsonArray(List.of(methods.split(","))))
        .put("project", new JsonObject().put("id", s.project().id()).put("name", s.project().name())
            .put("domain", new JsonObject().put("id", s.project().domainId()).put("name", s.project().domainName())))
        .put("user", new JsonObject().put("id", s.user().id()).put("name", s.user().name()).put("domain", domain)
            .put("password_expires_at", ""))
        .put("roles", roles)
        .put("catalog", new JsonArray()));
  }
}
