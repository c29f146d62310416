-- Tenants, people and credentials: the principals of DESIGN.md.
CREATE TABLE organizations (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   CHAR(36)     NOT NULL,
  slug        VARCHAR(63)  NOT NULL,
  name        VARCHAR(200) NOT NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_org_public (public_id),
  UNIQUE KEY uq_org_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Console users. The case-insensitive collation makes e-mail (and so a
-- SCIM userName) unique per organization regardless of case.
CREATE TABLE users (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id      CHAR(36)     NOT NULL,
  org_id         BIGINT UNSIGNED NOT NULL,
  email          VARCHAR(254) NOT NULL,
  password_hash  VARCHAR(128) NULL,
  role           ENUM('admin','member') NOT NULL DEFAULT 'member',
  platform_admin TINYINT(1)   NOT NULL DEFAULT 0,
  active         TINYINT(1)   NOT NULL DEFAULT 1,
  created_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                 ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_user_public (public_id),
  UNIQUE KEY uq_user_org_email (org_id, email),
  CONSTRAINT fk_user_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The app an ingest key (wp_live_) is bound to.
CREATE TABLE ingest_apps (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   CHAR(36)     NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  slug        VARCHAR(63)  NOT NULL,
  name        VARCHAR(200) NOT NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_app_public (public_id),
  UNIQUE KEY uq_app_org_slug (org_id, slug),
  CONSTRAINT fk_app_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every kind of API key in one table; only a keyed BLAKE2b hash is kept.
CREATE TABLE api_keys (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id    CHAR(36)     NOT NULL,
  org_id       BIGINT UNSIGNED NOT NULL,
  kind         ENUM('integration','scim','ingest','client','admin') NOT NULL,
  app_id       BIGINT UNSIGNED NULL,
  token_hash   BINARY(32)   NOT NULL,
  prefix       VARCHAR(16)  NOT NULL,
  last4        CHAR(4)      NOT NULL,
  name         VARCHAR(200) NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_used_at DATETIME(3)  NULL,
  revoked_at   DATETIME(3)  NULL,
  UNIQUE KEY uq_key_public (public_id),
  UNIQUE KEY uq_key_hash (token_hash),
  KEY ix_key_org (org_id, created_at),
  CONSTRAINT fk_key_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT fk_key_app FOREIGN KEY (app_id) REFERENCES ingest_apps (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Liveness of background workers, one row per worker process.
CREATE TABLE worker_heartbeats (
  worker_id   VARCHAR(100) NOT NULL PRIMARY KEY,
  started_at  DATETIME(3)  NOT NULL,
  beat_at     DATETIME(3)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
