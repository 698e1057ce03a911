package io.deskgate.auth;

import io.deskgate.api.ApiException;
import io.deskgate.config.Config;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.store.Sql;
import io.deskgate.web.Metrics;
import io.deskgate.web.RequestLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Establishes who calls a Workspace API: an {@code X-Auth-Token} (looked up by hash, checked for
 * expiry and revocation) or an {@code SDK-HMAC-SHA256} signature (AK looked up, SK opened, signature
 * recomputed over the raw request and compared in constant time, {@code X-Sdk-Date} within 15 minutes).
 * Either way the caller must belong to the project named in the path. An access key is locked for a
 * while after repeated signature failures ({@code auth.aksk_lockout}); a token's caller is remembered
 * for a few seconds ({@link TokenCache}).
 */
public final class Authenticator {

  public static final Duration CLOCK_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter SDK_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final Database db;
  private final IdentityStore identities;
  private final SecretBox secrets;
  private final AccessKeyLockout lockout;
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private final TokenCache cache;
  private final Metrics metrics;
  private final int lockWindowSeconds;
  private final int lockSeconds;

  public Authenticator(Database db, IdentityStore identities, SecretBox secrets, Config.Auth auth, Metrics metrics) {
    this.metrics = metrics;
    this.lockWindowSeconds = auth.akskLockout().windowSeconds();
    this.lockSeconds = auth.akskLockout().lockSeconds();
    this.db = db;
    this.identities = identities;
    this.secrets = secrets;
    this.lockout = new AccessKeyLockout(auth.akskLockout());
    this.cache = new TokenCache(auth.tokenCacheSeconds());
  }

  /** The caller of a Workspace call on {@code projectId}, or a failed future with the contract's error. */
  public Future<Caller> authenticate(RoutingContext ctx, String projectId) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null && authorization.startsWith(AkSkSignature.ALGORITHM)) {
      String headerProject = ctx.request().getHeader("X-Project-Id");
      return signed(ctx, authorization, (c, user) -> {
        if (headerProject != null && !headerProject.equals(projectId)) {
          throw ApiException.notProjectMember();
        }
        return projectCaller(c, user, projectId, "aksk");
      });
    }
    return tokenFromHeader(ctx).compose(this::cachedTokenCaller).map(caller -> {
      if (!caller.projectId().equals(projectId)) {
        RequestLog.caller(ctx, caller.display());
        throw ApiException.notProjectMember();
      }
      return caller;
    });
  }

  private Future<Caller> cachedTokenCaller(String token) {
    String hash = Digests.sha256Hex(token);
    Caller cached = cache.get(hash);
    return cached != null ? Future.succeededFuture(cached) : db.run(c -> {
      Found found = lookUp(c, token);
      cache.put(hash, found.caller(), found.expiresAt());
      return found.caller();
    });
  }

  /** Makes this node forget a token at once (it was revoked here or on another node). */
  public void forget(String tokenHash) {
    cache.forget(tokenHash);
  }

  /**
   * The caller of an IAM call (no project in the path): a token's caller is scoped to the token's
   * project; a signed call to the {@code X-Project-Id} project when it names one, else to none, with
   * the roles the user holds anywhere in its domain.
   */
  public Future<Caller> identify(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null && authorization.startsWith(AkSkSignature.ALGORITHM)) {
      String headerProject = ctx.request().getHeader("X-Project-Id");
      return signed(ctx, authorization, (c, user) -> headerProject != null
          ? projectCaller(c, user, headerProject, "aksk")
          : new Caller(user.id(), user.name(), user.domainId(), user.domainName(), null, null,
              identities.rolesInDomain(c, user.id()), "aksk"));
    }
    return tokenFromHeader(ctx).compose(this::cachedTokenCaller);
  }

  private static Future<String> tokenFromHeader(RoutingContext ctx) {
    String token = ctx.request().getHeader("X-Auth-Token");
    if (token == null || token.isBlank()) {
      return Future.failedFuture(ApiException.noCredentials());
    }
    if (!IamTokens.wellFormed(token)) {
      return Future.failedFuture(ApiException.badToken());
    }
    return Future.succeededFuture(token);
  }

  /** The caller behind an IAM token, whatever project it is scoped to, from the store. */
  public Caller tokenCaller(Connection c, String token) throws SQLException {
    return lookUp(c, token).caller();
  }

  /** A token's caller and when the token expires. */
  private record Found(Caller caller, long expiresAt) {}

  /** One query: the token, its user, domain, project and the user's roles there. */
  private Found lookUp(Connection c, String token) throws SQLException {
    if (!IamTokens.wellFormed(token)) {
      throw ApiException.badToken();
    }
    List<Object[]> rows = Sql.list(c, "SELECT t.expires_at, t.revoked, u.id, u.name, u.enabled, d.id, d.name, p.id, p.name, r.role "
            + "FROM iam_tokens t JOIN users u ON u.id = t.user_id JOIN domains d ON d.id = u.domain_id "
            + "JOIN projects p ON p.id = t.project_id "
            + "LEFT JOIN project_roles r ON r.project_id = t.project_id AND r.user_id = t.user_id WHERE t.token_hash = ?",
        rs -> new Object[] {rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)},
        Digests.sha256Hex(token));
    if (rows.isEmpty() || (Boolean) rows.get(0)[1] || !(Boolean) rows.get(0)[4]) {
      throw ApiException.badToken();
    }
    Object[] row = rows.get(0);
    if (System.currentTimeMillis() >= (Long) row[0]) {
      throw ApiException.tokenExpired();
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    rows.forEach(r -> {
      if (r[9] != null) {
        Role.byId((String) r[9]).ifPresent(roles::add);
      }
    });
    return new Found(new Caller((String) row[2], (String) row[3], (String) row[5], (String) row[6], (String) row[7],
        (String) row[8], roles, "token"), (Long) row[0]);
  }

  /** The user of a project of its domain in which it holds a role; 403 otherwise. */
  private Caller projectCaller(Connection c, IdentityStore.User user, String projectId, String method)
      throws SQLException {
    IdentityStore.Project project = identities.projectById(c, projectId)
        .filter(p -> p.domainId().equals(user.domainId())).orElseThrow(ApiException::notProjectMember);
    Set<Role> roles = identities.roles(c, project.id(), user.id());
    if (roles.isEmpty()) {
      throw ApiException.notProjectMember();
    }
    return new Caller(user.id(), user.name(), user.domainId(), user.domainName(), project.id(), project.name(),
        roles, method);
  }

  /** What a signed request's verified user may do, computed on the same connection. */
  @FunctionalInterface
  private interface SignedCall {
    Caller apply(Connection c, IdentityStore.User user) throws SQLException;
  }

  /** Verifies a signed request; then {@code then} turns its user into the caller, on the same connection. */
  private Future<Caller> signed(RoutingContext ctx, String authorization, SignedCall then) {
    HttpServerRequest req = ctx.request();
    AkSkSignature.Header header = AkSkSignature.parse(authorization).orElse(null);
    if (header == null || !AkSkSignature.coversRequired(header.signedHeaders())) {
      return Future.failedFuture(ApiException.badSignature());
    }
    RequestLog.caller(ctx, "ak:" + header.accessKey());
    String sdkDate = req.getHeader("X-Sdk-Date");
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    String payloadHash = header.signedHeaders().contains("x-sdk-content-sha256")
        ? req.getHeader("X-Sdk-Content-Sha256")
        : Digests.sha256Hex(body == null ? new byte[0] : body.getBytes());
    String canonical = AkSkSignature.canonicalRequest(req.method().name(), req.path(), req.query(),
        header.signedHeaders(), name -> headerValue(req, name), payloadHash);
    String stringToSign = AkSkSignature.stringToSign(sdkDate, canonical);
    return db.run(c -> {
      IdentityStore.AccessKey key = identities.accessKey(c, header.accessKey())
          .filter(IdentityStore.AccessKey::active).orElseThrow(ApiException::unknownAccessKey);
      if (lockout.locked(key.accessKey())) {
        throw ApiException.accessKeyLocked();
      }
      String sk = secrets.open(key.secretSealed(), IdentityStore.AccessKey.sealContext(key.accessKey()));
      if (!withinClockSkew(sdkDate)
          || !Digests.constantTimeEquals(AkSkSignature.signature(sk, stringToSign), header.signature())) {
        if (lockout.failed(key.accessKey())) {
          metrics.accessKeyLocked();
          log.warn("access key {} (user {}) locked for {} s: too many signature failures within {} s; last from {}",
              key.accessKey(), key.userId(), lockSeconds, lockWindowSeconds, RequestLog.client(ctx));
        }
        throw ApiException.badSignature();
      }
      lockout.succeeded(key.accessKey());
      IdentityStore.User user = identities.userById(c, key.userId())
          .filter(IdentityStore.User::enabled).orElseThrow(ApiException::unknownAccessKey);
      return then.apply(c, user);
    });
  }

  /** A request header as received; Vert.x keeps {@code Host} only as the request's authority. */
  private static String headerValue(HttpServerRequest req, String name) {
    String value = req.getHeader(name);
    if (value == null && name.equals("host") && req.authority() != null) {
      HostAndPort authority = req.authority();
      return authority.port() >= 0 ? authority.host() + ":" + authority.port() : authority.host();
    }
    return value;
  }

  static boolean withinClockSkew(String sdkDate) {
    if (sdkDate == null) {
      return false;
    }
    try {
      long signedAt = LocalDateTime.parse(sdkDate, SDK_DATE).toInstant(ZoneOffset.UTC).toEpochMilli();
      return Math.abs(System.currentTimeMillis() - signedAt) <= CLOCK_SKEW.toMillis();
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
