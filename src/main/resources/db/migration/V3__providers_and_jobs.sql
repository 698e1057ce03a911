-- Where each desktop comes from, and the jobs that change desktops.
ALTER TABLE desktops ADD COLUMN provider VARCHAR(16) DEFAULT 'static' NOT NULL;
ALTER TABLE desktops ADD COLUMN product VARCHAR(64);
-- the provider's own name for the machine (libvirt domain, xvnc run directory)
ALTER TABLE desktops ADD COLUMN provider_ref VARCHAR(255);
-- the node whose host runs the machine (xvnc); null when any node can reach it
ALTER TABLE desktops ADD COLUMN owner_node VARCHAR(64);

CREATE TABLE jobs (
  id           VARCHAR(64)   PRIMARY KEY,
  project_id   VARCHAR(64)   NOT NULL,
  job_type     VARCHAR(32)   NOT NULL,
  status       VARCHAR(16)   NOT NULL,
  fail_reason  VARCHAR(2048),
  entities     VARCHAR(8000) NOT NULL,
  owner_node   VARCHAR(64)   NOT NULL,
  created_at   BIGINT        NOT NULL,
  begin_time   BIGINT,
  end_time     BIGINT
);
CREATE INDEX jobs_status ON jobs (status);
