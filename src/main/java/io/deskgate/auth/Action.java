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
  OPERATE("workspace:desktops:operate"),
  /** Deskgate's own: list the live consoles of the project ({@code GET .../console-sessions}). */
  LIST_CONSOLES("deskgate:consoles:list"),
  /** Deskgate's own: end a live console ({@code DELETE .../console-sessions/{id}}); a user's own always. */
  END_CONSOLE("deskgate:consoles:end"),
  /** Deskgate's own: read the history of ended consoles ({@code GET .../console-history}). */
  CONSOLE_HISTORY("deskgate:consoles:history"),
  /** Deskgate's own: list and read console recordings ({@code GET .../console-recordings[/{id}]}). */
  LIST_RECORDINGS("deskgate:recordings:list"),
  /** Deskgate's own: a one-time replay link ({@code POST .../console-recordings/{id}/replay-links}). */
  REPLAY_RECORDINGS("deskgate:recordings:replay"),
  /** Deskgate's own: download a recording's records ({@code GET .../console-recordings/{id}/file}). */
  DOWNLOAD_RECORDINGS("deskgate:recordings:download"),
  /** Deskgate's own: list the region's nodes ({@code GET .../deskgate/nodes}). */
  LIST_NODES("deskgate:nodes:list"),
  /** Deskgate's own: move a desktop to another owner node ({@code PUT .../deskgate/desktops/{id}/owner}). */
  SET_OWNER("deskgate:desktops:setOwner"),
  /** Deskgate's own: register, change and remove static desktops ({@code .../deskgate/static-desktops}). */
  MANAGE_STATIC("deskgate:desktops:manageStatic");

  private final String iamName;

  Action(String iamName) {
    this.iamName = iamName;
  }

  public String iamName() {
    return iamName;
  }
}
