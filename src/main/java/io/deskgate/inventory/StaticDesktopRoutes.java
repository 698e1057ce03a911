package io.deskgate.inventory;

import io.deskgate.api.ApiException;
import io.deskgate.api.Requests;
import io.deskgate.api.Responses;
import io.deskgate.auth.Action;
import io.deskgate.auth.Policy;
import io.deskgate.auth.WorkspaceAccess;
import io.deskgate.cluster.ClusterEvents;
import io.deskgate.config.ConfigException;
import io.deskgate.config.ConfigLoader;
import io.deskgate.config.Inventory;
import io.deskgate.desktop.Desktop;
import io.deskgate.desktop.DesktopStore;
import io.deskgate.provider.StaticProvider;
import io.deskgate.store.Database;
import io.deskgate.store.SecretBox;
import io.deskgate.web.RequestLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static desktops (an existing VNC server) registered, changed and removed through the API, as the
 * inventory declares them in the config file: {@code POST /v2/{project_id}/deskgate/static-desktops},
 * {@code PUT} and {@code DELETE .../static-desktops/{desktop_id}} (admins: {@code deskgate:desktops:manageStatic}).
 * The body's {@code desktop} takes the inventory's keys; the VNC password is write-only (never answered;
 * left out of a PUT, it stays). Desktops the config file declares stay the file's.
 */
public final class StaticDesktopRoutes {

  private static final Logger audit = LoggerFactory.getLogger("deskgate.audit");
  private static final String PATH = "/v2/:project_id/deskgate/static-desktops";

  private final Database db;
  private final WorkspaceAccess access;
  private final Policy policy;
  private final DesktopStore desktops;
  private final SecretBox secrets;
  private final ClusterEvents events;
  private final Set<String> declaredInConfig;

  public StaticDesktopRoutes(Database db, WorkspaceAccess access, Policy policy, DesktopStore desktops,
                             SecretBox secrets, ClusterEvents events, Set<String> declaredInConfig) {
    this.db = db;
    this.access = access;
    this.policy = policy;
    this.desktops = desktops;
    this.secrets = secrets;
    this.events = events;
    this.declaredInConfig = declaredInConfig;
  }

  public void mount(Router router) {
    router.post(PATH).handler(ctx -> save(ctx, null));
    router.put(PATH + "/:desktop_id").handler(ctx -> save(ctx, ctx.pathParam("desktop_id")));
    router.delete(PATH + "/:desktop_id").handler(this::remove);
  }

  /** {@code pathId} null: a new desktop (POST); else the one to change (PUT). */
  private void save(RoutingContext ctx, String pathId) {
    access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.MANAGE_STATIC, "static desktops of project " + caller.projectId(), null);
      Inventory.Desktop spec = spec(ctx);
      String id = pathId != null ? pathId : spec.id() != null ? spec.id() : UUID.randomUUID().toString();
      if (pathId != null && spec.id() != null && !spec.id().equals(pathId)) {
        throw ApiException.badParameter("desktop.id must be the path's desktop_id or left out.");
      }
      if (!DesktopStore.ID.matcher(id).matches()) {
        throw ApiException.badParameter("desktop.id must be 1-255 letters, digits, '-', '_' or '.'.");
      }
      requireNotDeclared(id);
      return db.transaction(c -> {
        Optional<Desktop> existing = desktops.find(c, id);
        if (pathId == null && existing.isPresent()) {
          throw new ApiException(409, "WKS.00000409", "A desktop with this id exists already.");
        }
        if (pathId != null && existing.filter(d -> d.projectId().equals(caller.projectId())).isEmpty()) {
          throw ApiException.desktopNotFound();
        }
        existing.filter(d -> !StaticProvider.NAME.equals(d.source().provider())).ifPresent(d -> {
          throw new ApiException(409, "WKS.00000409", "The desktop is not a static one; its provider runs it.");
        });
        Desktop desktop = desktop(caller.projectId(), id, spec, existing);
        desktops.upsert(c, desktop);
        return desktop;
      }).map(desktop -> {
        audit.info("static desktop {} of project {} {} by user {} ({}) from {}: VNC server {}:{}", id,
            caller.projectId(), pathId == null ? "registered" : "changed", caller.userId(), caller.display(),
            RequestLog.client(ctx), desktop.console().host(), desktop.console().port());
        return desktop;
      });
    }).onSuccess(desktop -> Responses.json(ctx, pathId == null ? 201 : 200, new JsonObject().put("desktop",
        json(desktop)))).onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    String id = ctx.pathParam("desktop_id");
    access.caller(ctx).compose(caller -> {
      policy.require(caller, Action.MANAGE_STATIC, "static desktop " + id, null);
      requireNotDeclared(id);
      return db.transaction(c -> {
        Desktop d = desktops.find(c, caller.projectId(), id).orElseThrow(ApiException::desktopNotFound);
        if (!StaticProvider.NAME.equals(d.source().provider())) {
          throw new ApiException(409, "WKS.00000409", "The desktop is not a static one; delete it with the "
              + "desktop delete call.");
        }
        desktops.delete(c, id);
        return caller;
      });
    }).onSuccess(caller -> {
      events.publish(ClusterEvents.Kind.CLOSE_DESKTOP, id);
      audit.info("static desktop {} of project {} removed by user {} ({}) from {}", id, caller.projectId(),
          caller.userId(), caller.display(), RequestLog.client(ctx));
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private void requireNotDeclared(String id) {
    if (declaredInConfig.contains(id)) {
      throw new ApiException(409, "WKS.00000409", "The desktop is declared in the config file's inventory; "
          + "change it there.");
    }
  }

  private static Inventory.Desktop spec(RoutingContext ctx) {
    Object given = Requests.jsonBody(ctx).map(b -> b.getValue("desktop")).orElse(null);
    if (!(given instanceof JsonObject body)) {
      throw ApiException.badParameter("The body must be {\"desktop\": {...}} (docs/api.md).");
    }
    Inventory.Desktop spec;
    try {
      spec = ConfigLoader.bind(body.encode(), Inventory.Desktop.class, "desktop");
    } catch (ConfigException e) {
      throw ApiException.badParameter(e.getMessage() + ".");
    }
    if (spec.provider() != null && !StaticProvider.NAME.equals(spec.provider()) || spec.product() != null
        || spec.libvirtDomain() != null || spec.node() != null) {
      throw ApiException.badParameter("A static desktop takes no provider, product, libvirt_domain or node.");
    }
    if (spec.userName() == null || spec.userName().isBlank() || spec.userName().length() > 64) {
      throw ApiException.badParameter("desktop.user_name must be the user the desktop is assigned to (1-64 "
          + "characters).");
    }
    if (spec.computerName() != null && (spec.computerName().isBlank() || spec.computerName().length() > 64)) {
      throw ApiException.badParameter("desktop.computer_name must be 1-64 characters.");
    }
    return spec;
  }

  private Desktop desktop(String projectId, String id, Inventory.Desktop spec, Optional<Desktop> existing) {
    Desktop.ConsoleEndpoint console;
    try {
      String at = "desktop " + id;
      console = InventoryApplier.withPolicy(at, InventoryApplier.staticConsole(at, id, spec.console(), secrets,
          existing.map(d -> d.console().passwordSealed()).orElse(null)), spec.console());
    } catch (ConfigException e) {
      throw ApiException.badParameter(e.getMessage() + ".");
    }
    return Desktop.registered(projectId, id, spec.computerName() == null ? id : spec.computerName(), spec.userName(),
        spec.ipAddresses() == null ? List.of() : spec.ipAddresses(), spec.metadata() == null ? Map.of()
            : spec.metadata(), console, Desktop.Source.STATIC);
  }

  /** The desktop as answered: its VNC server and policy, never its password (only whether it has one). */
  private static JsonObject json(Desktop d) {
    Desktop.ConsoleEndpoint c = d.console();
    JsonObject tls = new JsonObject().put("ca_file", c.tls().caFile()).put("server_name", c.tls().serverName())
        .put("client_cert_file", c.tls().clientCertFile()).put("allow_anonymous", c.tls().allowAnonymous());
    return new JsonObject().put("id", d.id()).put("computer_name", d.computerName()).put("user_name", d.userName())
        .put("ip_addresses", new JsonArray(d.ipAddresses())).put("metadata", new JsonObject(Map.copyOf(d.metadata())))
        .put("console", new JsonObject().put("host", c.host()).put("port", c.port())
            .put("security", c.security().name().toLowerCase(java.util.Locale.ROOT)).put("username", c.username())
            .put("password_set", c.passwordSealed() != null).put("tls", tls).put("clipboard", c.clipboard())
            .put("viewers", c.viewers()).put("recording", c.recording()));
  }
}
