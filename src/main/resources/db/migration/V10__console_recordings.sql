-- The region's console recordings: where each file is (location: its path under its node's
-- recording.dir), whose console it holds, and how it ended. status: recording | complete | truncated
-- (stopped early: its writer fell behind, a write failed, or its node stopped while writing).
CREATE TABLE console_recordings (
  id             VARCHAR(64)  PRIMARY KEY,
  session_id     VARCHAR(128) NOT NULL,
  project_id     VARCHAR(64)  NOT NULL,
  desktop_id     VARCHAR(255) NOT NULL,
  user_id        VARCHAR(64)  NOT NULL,
  node_name      VARCHAR(64)  NOT NULL,
  location       VARCHAR(512) NOT NULL,
  keys_recorded  BOOLEAN      NOT NULL,
  status         VARCHAR(16)  NOT NULL,
  started_at     BIGINT       NOT NULL,
  ended_at       BIGINT,
  size_bytes     BIGINT,
  close_reason   VARCHAR(32)
);
CREATE INDEX console_recordings_project ON console_recordings (project_id, started_at);
CREATE INDEX console_recordings_node ON console_recordings (node_name, started_at);
