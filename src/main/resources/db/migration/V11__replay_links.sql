-- One-time links that open a console recording in the replay page: stored only as the token's
-- SHA-256, spent by the first page that presents it (used_at), good until expires_at.
CREATE TABLE replay_links (
  token_hash    CHAR(64)     PRIMARY KEY,
  recording_id  VARCHAR(64)  NOT NULL,
  project_id    VARCHAR(64)  NOT NULL,
  user_id       VARCHAR(64)  NOT NULL,
  created_at    BIGINT       NOT NULL,
  expires_at    BIGINT       NOT NULL,
  used_at       BIGINT
);
CREATE INDEX replay_links_expiry ON replay_links (expires_at);
