package io.deskgate.auth;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in roles a user holds in a project, and what each grants: an action on every desktop of
 * the project ({@link Scope#ALL}) or only on desktops whose {@code user_name} is the caller
 * ({@link Scope#OWN}).
 */
public enum Role {
  WORKSPACE_ADMIN("workspace_admin", allOf(Action.values())),
  WORKSPACE_USER("workspace_user", Map.of(Action.CREATE_CONSOLE, Scope.OWN, Action.VIEW_CONSOLE, Scope.OWN,
      Action.GET, Scope.OWN, Action.END_CONSOLE, Scope.OWN)),
  WORKSPACE_VIEWER("workspace_viewer", Map.of(Action.VIEW_CONSOLE, Scope.ALL, Action.GET, Scope.ALL,
      Action.LIST, Scope.ALL));

  /** How far a grant reaches. */
  public enum Scope { OWN, ALL }

  private final String id;
  private final Map<Action, Scope> grants;

  Role(String id, Map<Action, Scope> grants) {
    this.id = id;
    this.grants = grants;
  }

  public String id() {
    return id;
  }

  public Optional<Scope> grant(Action action) {
    return Optional.ofNullable(grants.get(action));
  }

  private static Map<Action, Scope> allOf(Action... actions) {
    return Arrays.stream(actions).collect(java.util.stream.Collectors.toUnmodifiableMap(a -> a, a -> Scope.ALL));
  }

  public static Optional<Role> byId(String id) {
    return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
  }
}
