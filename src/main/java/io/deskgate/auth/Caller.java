package io.deskgate.auth;

import java.util.Set;

/**
 * Who is calling, once authenticated: the user, the project the call is scoped to, the roles the user
 * holds there, and how they proved it ({@code token} or {@code aksk}).
 */
public record Caller(String userId, String userName, String domainId, String domainName,
                     String projectId, String projectName, Set<Role> roles, String method) {

  /** For log lines: {@code user@domain}. */
  public String display() {
    return userName + "@" + domainName;
  }
}
