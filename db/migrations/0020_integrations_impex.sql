-- Issue 13: one catalog with stock per location, blueprints, the
-- integrations framework and what import/export needs.

-- Items arriving by import carry the contract's attributes; a SKU is
-- optional for them (NULLs do not collide in the unique key). Names go
-- to 255 as the contract allows, and an (org, name) index serves the
-- import's "update by exact unique name". stock_on_hand stays the sum
-- of the item's locations (kept in the same transaction by every writer,
-- inventory/items.c), stock_reserved the sum of their reserved quantity.
ALTER TABLE inventory_items
  MODIFY sku VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
    NULL,
  MODIFY name VARCHAR(255) NOT NULL,
  ADD COLUMN description    TEXT          NULL AFTER name,
  ADD COLUMN subcategory    VARCHAR(100)  NULL AFTER category,
  ADD COLUMN rarity         VARCHAR(100)  NULL AFTER subcategory,
  ADD COLUMN metadata       MEDIUMTEXT    NULL AFTER rarity,
  ADD COLUMN stock_reserved DECIMAL(18,4) NOT NULL DEFAULT 0
    AFTER stock_on_hand,
  ADD KEY ix_item_org_name (org_id, name(191)),
  ADD CONSTRAINT ck_item_metadata CHECK (metadata IS NULL OR
    JSON_VALID(metadata));

-- Which location a change of stock was at (NULL before locations).
ALTER TABLE stock_adjustments
  ADD COLUMN location_id BIGINT UNSIGNED NULL AFTER item_id;

-- Where stock is kept. Every organization has one default location,
-- "Main", made here for the organizations there are and on first use
-- for new ones (inventory/locations.c).
CREATE TABLE locations (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   CHAR(36)      NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(255)  NOT NULL,
  is_default  TINYINT(1)    NOT NULL DEFAULT 0,
  -- 1 for the default location, else NULL: at most one per organization.
  default_key TINYINT(1) AS (IF(is_default = 1, 1, NULL)) PERSISTENT,
  created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_loc_public (public_id),
  UNIQUE KEY uq_loc_org_name (org_id, name),
  UNIQUE KEY uq_loc_org_default (org_id, default_key),
  KEY ix_loc_org (org_id, id),
  CONSTRAINT fk_loc_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An item's stock at one location.
CREATE TABLE inventory_stock (
  org_id       BIGINT UNSIGNED NOT NULL,
  item_id      BIGINT UNSIGNED NOT NULL,
  location_id  BIGINT UNSIGNED NOT NULL,
  quantity     DECIMAL(18,4) NOT NULL DEFAULT 0,
  reserved     DECIMAL(18,4) NOT NULL DEFAULT 0,
  updated_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
               ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (item_id, location_id),
  KEY ix_stock_org_loc (org_id, location_id, item_id),
  CONSTRAINT fk_stock_item FOREIGN KEY (item_id)
    REFERENCES inventory_items (id) ON DELETE CASCADE,
  CONSTRAINT fk_stock_loc FOREIGN KEY (location_id) REFERENCES locations (id),
  CONSTRAINT ck_stock_range CHECK (quantity >= 0 AND reserved >= 0
    AND reserved <= quantity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO locations (public_id, org_id, name, is_default)
  SELECT UUID(), id, 'Main', 1 FROM organizations;
INSERT INTO inventory_stock (org_id, item_id, location_id, quantity)
  SELECT i.org_id, i.id, l.id, i.stock_on_hand
  FROM inventory_items i JOIN locations l
    ON l.org_id = i.org_id AND l.is_default = 1
  WHERE i.stock_on_hand > 0;

-- Blueprints: an output item and quantity made from ingredient items.
CREATE TABLE blueprints (
  id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id             CHAR(36)      NOT NULL,
  org_id                BIGINT UNSIGNED NOT NULL,
  name                  VARCHAR(255)  NOT NULL,
  description           TEXT          NULL,
  category              VARCHAR(100)  NULL,
  crafting_time_minutes INT UNSIGNED  NOT NULL DEFAULT 0,
  output_item_id        BIGINT UNSIGNED NOT NULL,
  output_quantity       DECIMAL(18,4) NOT NULL,
  is_public             TINYINT(1)    NOT NULL DEFAULT 0,
  created_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                        ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_bp_public (public_id),
  KEY ix_bp_org (org_id, id),
  KEY ix_bp_org_name (org_id, name(191)),
  CONSTRAINT fk_bp_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT fk_bp_output FOREIGN KEY (output_item_id)
    REFERENCES inventory_items (id),
  CONSTRAINT ck_bp_output CHECK (output_quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Ingredients in the order given (position from 0).
CREATE TABLE blueprint_ingredients (
  blueprint_id  BIGINT UNSIGNED NOT NULL,
  position      INT UNSIGNED  NOT NULL,
  item_id       BIGINT UNSIGNED NOT NULL,
  quantity      DECIMAL(18,4) NOT NULL,
  optional      TINYINT(1)    NOT NULL DEFAULT 0,
  PRIMARY KEY (blueprint_id, position),
  KEY ix_bpi_item (item_id),
  CONSTRAINT fk_bpi_bp FOREIGN KEY (blueprint_id)
    REFERENCES blueprints (id) ON DELETE CASCADE,
  CONSTRAINT fk_bpi_item FOREIGN KEY (item_id) REFERENCES inventory_items (id),
  CONSTRAINT ck_bpi_qty CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Integrations: outgoing webhooks and stored API credentials. Secrets
-- are sealed (crypto_seal_ad) with "<org>:<integration>:<field>" as
-- associated data, so a ciphertext moved to another row does not open.
CREATE TABLE integrations (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id          CHAR(36)      NOT NULL,
  org_id             BIGINT UNSIGNED NOT NULL,
  name               VARCHAR(255)  NOT NULL,
  type               ENUM('webhook','api') NOT NULL,
  status             ENUM('active','inactive','error') NOT NULL
                     DEFAULT 'active',
  webhook_url        VARCHAR(2048) NULL,
  api_key_enc        VARBINARY(4200) NULL,
  api_secret_enc     VARBINARY(4200) NULL,
  signing_secret_enc VARBINARY(200) NOT NULL,
  config_data        MEDIUMTEXT    NOT NULL,
  last_tested_at     DATETIME(3)   NULL,
  last_error         VARCHAR(500)  NULL,
  created_by         VARCHAR(254)  NULL,
  created_at         DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at         DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                     ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_integ_public (public_id),
  KEY ix_integ_org (org_id, id),
  KEY ix_integ_active (status, type, org_id),
  CONSTRAINT fk_integ_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT ck_integ_config CHECK (JSON_VALID(config_data))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What an integration did and received; removed with it.
CREATE TABLE integration_logs (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id       CHAR(36)      NOT NULL,
  org_id          BIGINT UNSIGNED NOT NULL,
  integration_id  BIGINT UNSIGNED NOT NULL,
  direction       ENUM('outgoing','incoming') NOT NULL,
  kind            ENUM('test','delivery','received','api_call') NOT NULL,
  status          VARCHAR(32)   NOT NULL,
  http_status     INT           NULL,
  duration_ms     INT UNSIGNED  NULL,
  error           VARCHAR(1000) NULL,
  headers         TEXT          NULL,
  body            MEDIUMBLOB    NULL,	-- the first 64 KiB received
  created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_ilog_public (public_id),
  KEY ix_ilog_integ (integration_id, id),
  CONSTRAINT fk_ilog_integ FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- webhook-ids an integration accepted, so a replay is refused; kept
-- past the 5-minute timestamp window, then trimmed.
CREATE TABLE integration_receipts (
  integration_id  BIGINT UNSIGNED NOT NULL,
  webhook_id      VARBINARY(255) NOT NULL,
  received_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (integration_id, webhook_id),
  KEY ix_receipt_time (received_at),
  CONSTRAINT fk_receipt_integ FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
