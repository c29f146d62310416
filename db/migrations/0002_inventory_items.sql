-- The inventory catalog (sku unique per organization). Quantities and
-- money are DECIMAL; C code carries them as fixed-point integers.
CREATE TABLE inventory_items (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id           CHAR(36)      NOT NULL,
  org_id              BIGINT UNSIGNED NOT NULL,
  sku                 VARCHAR(128)  NOT NULL,
  name                VARCHAR(200)  NOT NULL,
  unit                VARCHAR(32)   NOT NULL DEFAULT 'each',
  category            VARCHAR(100)  NULL,
  stock_on_hand       DECIMAL(18,4) NOT NULL DEFAULT 0,
  low_stock_threshold DECIMAL(18,4) NULL,
  unit_cost           DECIMAL(18,4) NULL,
  lead_time_days      INT UNSIGNED  NOT NULL DEFAULT 7,
  archived            TINYINT(1)    NOT NULL DEFAULT 0,
  created_at          DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at          DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                      ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_item_public (public_id),
  UNIQUE KEY uq_item_org_sku (org_id, sku),
  KEY ix_item_org_updated (org_id, updated_at, id),
  CONSTRAINT fk_item_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
