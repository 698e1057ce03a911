-- Live console sessions of every node, so that the session list is the union of the nodes' own.
CREATE TABLE console_sessions (
  id          VARCHAR(96)  PRIMARY KEY,
  node_id     VARCHAR(64)  NOT NULL,
  desktop_id  VARCHAR(255) NOT NULL,
  user_id     VARCHAR(64)  NOT NULL,
  opened_at   BIGINT       NOT NULL
);
CREATE INDEX console_sessions_desktop ON console_sessions (desktop_id);
CREATE INDEX console_sessions_node ON console_sessions (node_id);
