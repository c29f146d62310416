-- Every change of stock on hand, with why and by whom.
CREATE TABLE stock_adjustments (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id       BIGINT UNSIGNED NOT NULL,
  item_id      BIGINT UNSIGNED NOT NULL,
  delta        DECIMAL(18,4) NOT NULL,
  stock_after  DECIMAL(18,4) NOT NULL,
  source       VARCHAR(32)   NOT NULL,
  reason       VARCHAR(200)  NOT NULL,
  actor        VARCHAR(254)  NULL,
  created_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_adj_item (org_id, item_id, id),
  CONSTRAINT fk_adj_item FOREIGN KEY (item_id) REFERENCES inventory_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
