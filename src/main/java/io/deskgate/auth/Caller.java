package io.deskgate.auth;

import java.util.Set;

/**
 * Who is calling, once authenticated: the user, the project the call is scoped to, the roles the user
 * holds there, and how they proved it ({@code token} or {@code aksk}). A signed IAM call without
 * {@code X-Project-Id} is scoped to no project ({@code projectId} null) with the roles the user holds
 * anywhere in its domain.
 */
public record Caller(String userId, String userName, String domainId, String domainName,
                     String projectId, String projectName, Set<Role> roles, String method) {

  /** Whether the caller administers its scope (the project, or for a domain-level caller, some project). */
  public boolean isAdmin() {
    return roles.contains(Role.WORKSPACE_ADMIN);
  }

  /** For log lines: {@code user@domain}. */
  public String display() {
    return userName + "@" + domainName;
  }
}
