-- How Deskgate passes each desktop's VNC security: auto|none|vnc|vencrypt, a username for VeNCrypt's
-- Plain subtypes, and TLS settings (JSON: ca_file, server_name, client_cert_file, client_key_file,
-- allow_anonymous). NULL security reads as auto.
ALTER TABLE desktops ADD COLUMN console_security VARCHAR(16);
ALTER TABLE desktops ADD COLUMN console_username VARCHAR(255);
ALTER TABLE desktops ADD COLUMN console_tls VARCHAR(4000);

-- Console policy of a desktop (NULL: its project's, else the config's): clipboard
-- both|to_desktop|from_desktop|none, viewers shared|exclusive|takeover.
ALTER TABLE desktops ADD COLUMN console_clipboard VARCHAR(16);
ALTER TABLE desktops ADD COLUMN console_viewers VARCHAR(16);

-- Console policy of a project (NULL: the config's).
CREATE TABLE project_console_policies (
  project_id  VARCHAR(64)  PRIMARY KEY,
  clipboard   VARCHAR(16),
  viewers     VARCHAR(16)
);

-- A token issued for a view-only console opens nothing else.
ALTER TABLE console_tokens ADD COLUMN view_only BOOLEAN DEFAULT FALSE NOT NULL;

-- The mode of each live console: full or view.
ALTER TABLE console_sessions ADD COLUMN mode VARCHAR(8);
