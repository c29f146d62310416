-- SCIM 2.0: users are the console users of the organization; the SCIM
-- document a client sent is kept (minus password) so attributes Mihwar
-- does not model come back as given. Groups map to console roles.
ALTER TABLE users
  ADD COLUMN external_id VARCHAR(255) NULL AFTER email,
  ADD COLUMN scim_json MEDIUMTEXT NULL,
  ADD COLUMN version INT UNSIGNED NOT NULL DEFAULT 1,
  ADD COLUMN scim_managed TINYINT(1) NOT NULL DEFAULT 0;

CREATE TABLE scim_groups (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id     CHAR(36)     NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  display_name  VARCHAR(255) NOT NULL,
  external_id   VARCHAR(255) NULL,
  grants_role   ENUM('admin','member') NOT NULL DEFAULT 'member',
  version       INT UNSIGNED NOT NULL DEFAULT 1,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_group_public (public_id),
  UNIQUE KEY uq_group_org_name (org_id, display_name),
  CONSTRAINT fk_group_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE scim_group_members (
  group_id  BIGINT UNSIGNED NOT NULL,
  user_id   BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (group_id, user_id),
  KEY ix_member_user (user_id),
  CONSTRAINT fk_member_group FOREIGN KEY (group_id) REFERENCES scim_groups (id)
    ON DELETE CASCADE,
  CONSTRAINT fk_member_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
