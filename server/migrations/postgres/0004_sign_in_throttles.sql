-- Same as ../sqlite/0004_sign_in_throttles.sql, in PostgreSQL's dialect.
CREATE TABLE sign_in_throttles (
    scope          TEXT   NOT NULL,
    key_hash       TEXT   NOT NULL,
    failures       BIGINT NOT NULL DEFAULT 0,
    window_start   BIGINT NOT NULL DEFAULT 0,
    blocked_until  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key_hash)
);
