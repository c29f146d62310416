-- Identity as identity providers send it (issue 9). A user's userName is
-- any non-empty string, unique per organization without regard to case
-- (the column's _ci collation); it is no longer an e-mail address. The
-- addresses live in user_emails: sign-in takes the userName or any of
-- them. An address is unique per organization among active users: the
-- generated live_email is the address while the user is active and NULL
-- otherwise, and NULLs do not collide in a unique key. ix_user_org is
-- (org_id, id) in InnoDB: SCIM pages through it by offset.
ALTER TABLE users
  CHANGE email user_name VARCHAR(255) NOT NULL,
  RENAME INDEX uq_user_org_email TO uq_user_org_name,
  ADD COLUMN display_name VARCHAR(255) NULL AFTER user_name,
  ADD COLUMN last_sign_in_at DATETIME(3) NULL,
  ADD KEY ix_user_org (org_id),
  ADD KEY ix_user_org_external (org_id, external_id),
  ADD KEY ix_user_org_active (org_id, active, id);

-- How many users, and active users, each organization has: a SCIM page
-- answers totalResults from here instead of counting the directory each
-- time. Kept by lib/auth/users.c (users_count_add) in the transaction of
-- every insert, delete and change of active.
ALTER TABLE organizations
  ADD COLUMN users_total INT NOT NULL DEFAULT 0,
  ADD COLUMN users_active INT NOT NULL DEFAULT 0;
UPDATE organizations o SET
  users_total = (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id),
  users_active = (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id
                  AND u.active = 1);

CREATE TABLE user_emails (
  user_id      BIGINT UNSIGNED NOT NULL,
  org_id       BIGINT UNSIGNED NOT NULL,
  email        VARCHAR(254) NOT NULL,
  type         VARCHAR(32)  NULL,
  is_primary   TINYINT(1)   NOT NULL DEFAULT 0,
  user_active  TINYINT(1)   NOT NULL DEFAULT 1,
  live_email   VARCHAR(254) AS (IF(user_active = 1, email, NULL)) PERSISTENT,
  PRIMARY KEY (user_id, email),
  UNIQUE KEY uq_email_org_live (org_id, live_email),
  KEY ix_email_org (org_id, email),
  KEY ix_email (email),
  CONSTRAINT fk_email_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every user made before this had an e-mail for a userName: keep it as
-- the user's (primary, work) address so sign-in goes on working. Two
-- active users cannot share it: it was unique per organization.
INSERT INTO user_emails (user_id, org_id, email, type, is_primary, user_active)
  SELECT id, org_id, user_name, 'work', 1, active FROM users
  WHERE user_name LIKE '_%@_%';

-- One-time links: set the first password of a user made in the console,
-- or reset it. Only the keyed hash of the token is stored; a link lasts
-- 72 hours and works once (used_at).
CREATE TABLE user_links (
  id_hash     BINARY(32)   NOT NULL PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  purpose     ENUM('set','reset') NOT NULL,
  created_by  BIGINT UNSIGNED NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at  DATETIME(3)  NOT NULL,
  used_at     DATETIME(3)  NULL,
  KEY ix_link_user (user_id),
  CONSTRAINT fk_link_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
