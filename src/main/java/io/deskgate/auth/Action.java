package io.deskgate.auth;

/** The IAM actions of the Workspace API that Deskgate checks. */
public enum Action {
  CREATE_CONSOLE("workspace:desktops:createConsole"),
  /** A view-only console (Deskgate's extension: {@code ?console_mode=view} on the remote-console call). */
  VIEW_CONSOLE("workspace:desktops:viewConsole"),
  GET("workspace:desktops:get"),
  LIST("workspace:desktops:list"),
  CREATE("workspace:desktops:create"),
  DELETE("workspace:desktops:delete"),
  OPERATE("workspace:desktops:operate");

  private final String iamName;

  Action(String iamName) {
    this.iamName = iamName;
  }

  public String iamName() {
    return iamName;
  }
}
