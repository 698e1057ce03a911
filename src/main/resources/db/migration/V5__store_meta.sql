-- Facts about the store itself. 'secrets_check' is a value sealed with the secrets key when the store
-- was first opened: a node whose key does not open it refuses to start instead of failing on every secret.
CREATE TABLE store_meta (
  meta_name   VARCHAR(64)   PRIMARY KEY,
  meta_value  VARCHAR(1024) NOT NULL
);
