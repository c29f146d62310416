-- Purchasing, order history, predictions, the event outbox, and the
-- shared idempotency and rate-limit tables.

-- Cursor pages of items walk (org_id, id).
ALTER TABLE inventory_items ADD KEY ix_item_org_id (org_id, id);

CREATE TABLE vendors (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   CHAR(36)     NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(200) NOT NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_vendor_public (public_id),
  UNIQUE KEY uq_vendor_org_name (org_id, name),
  CONSTRAINT fk_vendor_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE purchase_orders (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id     CHAR(36)      NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  vendor_id     BIGINT UNSIGNED NULL,
  reference     VARCHAR(64)   NULL,
  notes         VARCHAR(1000) NULL,
  status        ENUM('DRAFT','SUBMITTED','APPROVED','RECEIVED','REJECTED',
                     'FULFILLED') NOT NULL DEFAULT 'DRAFT',
  decided_by    VARCHAR(254)  NULL,
  decision_note VARCHAR(1000) NULL,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_po_public (public_id),
  KEY ix_po_org_id (org_id, id),
  KEY ix_po_org_status (org_id, status, id),
  CONSTRAINT fk_po_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT fk_po_vendor FOREIGN KEY (vendor_id) REFERENCES vendors (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE purchase_order_lines (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   CHAR(36)      NOT NULL,
  order_id    BIGINT UNSIGNED NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  item_id     BIGINT UNSIGNED NOT NULL,
  quantity    DECIMAL(18,4) NOT NULL,
  unit_cost   DECIMAL(18,4) NULL,
  UNIQUE KEY uq_pol_public (public_id),
  KEY ix_pol_order (order_id, id),
  CONSTRAINT fk_pol_order FOREIGN KEY (order_id) REFERENCES purchase_orders (id),
  CONSTRAINT fk_pol_item FOREIGN KEY (item_id) REFERENCES inventory_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every ingestion (API or file import) is one batch.
CREATE TABLE import_batches (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id           CHAR(36)     NOT NULL,
  org_id              BIGINT UNSIGNED NOT NULL,
  source              VARCHAR(16)  NOT NULL,
  period_kind         ENUM('DAY','WEEK','MONTH','CUSTOM') NOT NULL,
  external_source_id  VARCHAR(256) NULL,
  api_key_id          BIGINT UNSIGNED NULL,
  lines_inserted      INT UNSIGNED NOT NULL DEFAULT 0,
  created_at          DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_batch_public (public_id),
  KEY ix_batch_org_id (org_id, id),
  CONSTRAINT fk_batch_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_history_lines (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id         BIGINT UNSIGNED NOT NULL,
  batch_id       BIGINT UNSIGNED NOT NULL,
  item_id        BIGINT UNSIGNED NOT NULL,
  order_date     DATE          NOT NULL,
  ordered_qty    DECIMAL(18,4) NOT NULL,
  delivered_qty  DECIMAL(18,4) NOT NULL,
  KEY ix_ohl_org_item_date (org_id, item_id, order_date),
  KEY ix_ohl_batch (batch_id),
  CONSTRAINT fk_ohl_batch FOREIGN KEY (batch_id) REFERENCES import_batches (id),
  CONSTRAINT fk_ohl_item FOREIGN KEY (item_id) REFERENCES inventory_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per item and future period; replaced whole per item.
CREATE TABLE predictions (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id      CHAR(36)      NOT NULL,
  org_id         BIGINT UNSIGNED NOT NULL,
  item_id        BIGINT UNSIGNED NOT NULL,
  batch_id       BIGINT UNSIGNED NULL,
  period_kind    ENUM('DAY','WEEK','MONTH') NOT NULL,
  period_start   DATE          NOT NULL,
  period_end     DATE          NOT NULL,
  forecast_qty   DECIMAL(18,4) NOT NULL,
  lower_qty      DECIMAL(18,4) NOT NULL,
  upper_qty      DECIMAL(18,4) NOT NULL,
  method         VARCHAR(32)   NOT NULL,
  reorder_qty    DECIMAL(18,4) NOT NULL,
  generated_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_pred_public (public_id),
  KEY ix_pred_org_id (org_id, id),
  KEY ix_pred_org_item (org_id, item_id, id),
  CONSTRAINT fk_pred_item FOREIGN KEY (item_id) REFERENCES inventory_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The transactional outbox: written in the same transaction as the
-- change it tells of; the worker fans it out.
CREATE TABLE events (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   CHAR(36)     NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  type        VARCHAR(64)  NOT NULL,
  payload     MEDIUMTEXT   NOT NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_event_public (public_id),
  KEY ix_event_org (org_id, id),
  KEY ix_event_type (type, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How far each background consumer has read the outbox.
CREATE TABLE event_cursors (
  consumer       VARCHAR(64)  NOT NULL PRIMARY KEY,
  last_event_id  BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updated_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                 ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Idempotency: (API key, Idempotency-Key) -> the first answer.
CREATE TABLE idempotency_keys (
  api_key_id    BIGINT UNSIGNED NOT NULL,
  idem_key      VARCHAR(255)  NOT NULL,
  fingerprint   BINARY(32)    NOT NULL,
  state         ENUM('in_flight','done') NOT NULL,
  status        SMALLINT UNSIGNED NULL,
  body          MEDIUMBLOB    NULL,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at    DATETIME(3)   NOT NULL,
  PRIMARY KEY (api_key_id, idem_key),
  KEY ix_idem_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Fixed one-minute windows, shared by every process and host.
CREATE TABLE rate_counters (
  scope         VARCHAR(80)  NOT NULL,
  window_start  BIGINT UNSIGNED NOT NULL,
  hits          INT UNSIGNED NOT NULL,
  PRIMARY KEY (scope, window_start)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
