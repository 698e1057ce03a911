-- The nodes of the region: each heartbeats its row; status is 'up', or 'lost' once another node found
-- its heartbeat older than cluster.node_timeout_seconds. A node that stops cleanly deletes its row.
CREATE TABLE nodes (
  name           VARCHAR(64)  PRIMARY KEY,
  address        VARCHAR(255),
  version        VARCHAR(64),
  started_at     BIGINT       NOT NULL,
  heartbeat_at   BIGINT       NOT NULL,
  draining       BOOLEAN      DEFAULT FALSE NOT NULL,
  live_sessions  INT          DEFAULT 0 NOT NULL,
  status         VARCHAR(8)   NOT NULL
);

-- The libvirt connection a libvirt desktop's domain lives behind (NULL: before this was recorded).
ALTER TABLE desktops ADD COLUMN libvirt_uri VARCHAR(512);

-- One row per desktop of a job: what the node that runs it claims (SELECT ... FOR UPDATE SKIP LOCKED).
-- run_on: the node that must run it (the desktop's owner), NULL when any node may; needs_libvirt: only a
-- node whose providers.libvirt.uri is this may. params: JSON.
-- jobs.owner_node now names the node that took the API call; jobs.entities is the outcome per desktop,
-- written when the job's last task ends.
CREATE TABLE job_tasks (
  job_id       VARCHAR(64)   NOT NULL,
  seq          INT           NOT NULL,
  job_type     VARCHAR(32)   NOT NULL,
  project_id   VARCHAR(64)   NOT NULL,
  desktop_id   VARCHAR(255)  NOT NULL,
  params       VARCHAR(4000) NOT NULL,
  run_on       VARCHAR(64),
  needs_libvirt VARCHAR(512),
  status       VARCHAR(16)   NOT NULL,
  fail_reason  VARCHAR(2048),
  claimed_by   VARCHAR(64),
  created_at   BIGINT        NOT NULL,
  PRIMARY KEY (job_id, seq)
);
CREATE INDEX job_tasks_status ON job_tasks (status, run_on);

-- What the history of a console needs from its live row.
ALTER TABLE console_sessions ADD COLUMN project_id VARCHAR(64);
ALTER TABLE console_sessions ADD COLUMN user_agent VARCHAR(256);

-- Every console that ended: who, from where, on which node, how long, how much, how it ended.
-- close_reason: the proxy's reason label, or node_lost / node_restarted when its node went away with it
-- (then bytes are unknown). ended_by: the user who ended it through the API.
CREATE TABLE console_history (
  session_id        VARCHAR(128) PRIMARY KEY,
  project_id        VARCHAR(64)  NOT NULL,
  desktop_id        VARCHAR(255) NOT NULL,
  user_id           VARCHAR(64)  NOT NULL,
  client_address    VARCHAR(64),
  user_agent        VARCHAR(256),
  node_name         VARCHAR(64)  NOT NULL,
  mode              VARCHAR(8),
  opened_at         BIGINT       NOT NULL,
  closed_at         BIGINT       NOT NULL,
  bytes_to_browser  BIGINT,
  bytes_to_desktop  BIGINT,
  close_reason      VARCHAR(32)  NOT NULL,
  ended_by          VARCHAR(64)
);
CREATE INDEX console_history_project ON console_history (project_id, closed_at);
CREATE INDEX console_history_closed ON console_history (closed_at);

-- Chores one node of the region does at a time (purges): the node whose UPDATE moves next_run_at runs it.
CREATE TABLE cluster_chores (
  chore        VARCHAR(32)  PRIMARY KEY,
  next_run_at  BIGINT       NOT NULL
);
