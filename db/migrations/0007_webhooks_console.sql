-- Webhook subscriptions, their deliveries and every attempt; console
-- sessions and the audit of console actions.
CREATE TABLE webhook_subscriptions (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id        CHAR(36)      NOT NULL,
  org_id           BIGINT UNSIGNED NOT NULL,
  url              VARCHAR(2048) NOT NULL,
  events           VARCHAR(1024) NOT NULL,   -- "*" or a comma list
  secret_enc       VARBINARY(256) NOT NULL,  -- nonce || secretbox
  active           TINYINT(1)    NOT NULL DEFAULT 1,
  disabled_reason  VARCHAR(200)  NULL,
  failing_since    DATETIME(3)   NULL,
  created_by       VARCHAR(254)  NULL,
  created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                   ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_sub_public (public_id),
  KEY ix_sub_org (org_id, id),
  CONSTRAINT fk_sub_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE webhook_deliveries (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id        CHAR(36)      NOT NULL,
  org_id           BIGINT UNSIGNED NOT NULL,
  subscription_id  BIGINT UNSIGNED NOT NULL,
  event_id         BIGINT UNSIGNED NOT NULL,
  event_type       VARCHAR(64)   NOT NULL,
  state            ENUM('pending','delivering','succeeded','failed')
                   NOT NULL DEFAULT 'pending',
  attempts         INT UNSIGNED  NOT NULL DEFAULT 0,
  next_attempt_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  lease_until      DATETIME(3)   NULL,
  lease_owner      VARCHAR(100)  NULL,
  last_status      INT           NULL,
  created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                   ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_del_public (public_id),
  UNIQUE KEY uq_del_sub_event (subscription_id, event_id),
  KEY ix_del_due (state, next_attempt_at),
  KEY ix_del_lease (state, lease_until),
  KEY ix_del_sub (subscription_id, id),
  CONSTRAINT fk_del_sub FOREIGN KEY (subscription_id)
    REFERENCES webhook_subscriptions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE webhook_attempts (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  delivery_id      BIGINT UNSIGNED NOT NULL,
  attempt_no       INT UNSIGNED  NOT NULL,
  worker           VARCHAR(100)  NOT NULL,
  started_at       DATETIME(3)   NOT NULL,
  duration_ms      INT UNSIGNED  NOT NULL,
  status_code      INT           NULL,
  error            VARCHAR(500)  NULL,
  response_excerpt VARCHAR(1024) NULL,
  UNIQUE KEY uq_attempt (delivery_id, attempt_no),
  CONSTRAINT fk_att_del FOREIGN KEY (delivery_id)
    REFERENCES webhook_deliveries (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
  id_hash       BINARY(32)   NOT NULL PRIMARY KEY,
  user_id       BIGINT UNSIGNED NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  csrf_token    CHAR(43)     NOT NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_seen_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_session_user (user_id),
  CONSTRAINT fk_session_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
