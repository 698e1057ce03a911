-- Deskgate core schema. Runs unchanged on H2 2.x and PostgreSQL 12+.
-- Times are epoch milliseconds (BIGINT); secrets are stored as hashes or AES-GCM sealed values.

CREATE TABLE domains (
  id          VARCHAR(64)  PRIMARY KEY,
  name        VARCHAR(64)  NOT NULL UNIQUE,
  created_at  BIGINT       NOT NULL
);

CREATE TABLE users (
  id             VARCHAR(64)  PRIMARY KEY,
  domain_id      VARCHAR(64)  NOT NULL REFERENCES domains (id),
  name           VARCHAR(64)  NOT NULL,
  password_hash  VARCHAR(255),
  enabled        BOOLEAN      NOT NULL,
  created_at     BIGINT       NOT NULL,
  CONSTRAINT users_domain_name UNIQUE (domain_id, name)
);

CREATE TABLE access_keys (
  access_key   VARCHAR(128) PRIMARY KEY,
  user_id      VARCHAR(64)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_enc   VARCHAR(512) NOT NULL,
  status       VARCHAR(16)  NOT NULL,
  description  VARCHAR(255) NOT NULL,
  created_at   BIGINT       NOT NULL
);
CREATE INDEX access_keys_user ON access_keys (user_id);

CREATE TABLE projects (
  id          VARCHAR(64)  PRIMARY KEY,
  domain_id   VARCHAR(64)  NOT NULL REFERENCES domains (id),
  name        VARCHAR(64)  NOT NULL,
  created_at  BIGINT       NOT NULL,
  CONSTRAINT projects_domain_name UNIQUE (domain_id, name)
);

CREATE TABLE project_roles (
  project_id  VARCHAR(64)  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id     VARCHAR(64)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role        VARCHAR(64)  NOT NULL,
  PRIMARY KEY (project_id, user_id, role)
);

CREATE TABLE desktops (
  id                    VARCHAR(255) PRIMARY KEY,
  project_id            VARCHAR(64)  NOT NULL REFERENCES projects (id),
  computer_name         VARCHAR(255) NOT NULL,
  user_name             VARCHAR(64)  NOT NULL,
  status                VARCHAR(16)  NOT NULL,
  task_status           VARCHAR(32)  NOT NULL,
  console_host          VARCHAR(255) NOT NULL,
  console_port          INTEGER      NOT NULL,
  console_password_enc  VARCHAR(512),
  created_at            BIGINT       NOT NULL,
  updated_at            BIGINT       NOT NULL
);
CREATE INDEX desktops_project ON desktops (project_id);

CREATE TABLE iam_tokens (
  token_hash  CHAR(64)     PRIMARY KEY,
  user_id     VARCHAR(64)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id  VARCHAR(64)  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  methods     VARCHAR(64)  NOT NULL,
  issued_at   BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  revoked     BOOLEAN      NOT NULL
);
CREATE INDEX iam_tokens_expires ON iam_tokens (expires_at);

CREATE TABLE console_tokens (
  token_hash  CHAR(64)     PRIMARY KEY,
  desktop_id  VARCHAR(255) NOT NULL REFERENCES desktops (id) ON DELETE CASCADE,
  project_id  VARCHAR(64)  NOT NULL,
  user_id     VARCHAR(64)  NOT NULL,
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  used_at     BIGINT
);
CREATE INDEX console_tokens_expires ON console_tokens (expires_at);
