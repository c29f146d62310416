-- Who moved a purchase order, when, from what to what, and why.
CREATE TABLE order_status_history (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id       BIGINT UNSIGNED NOT NULL,
  order_id     BIGINT UNSIGNED NOT NULL,
  from_status  VARCHAR(16)   NOT NULL,
  to_status    VARCHAR(16)   NOT NULL,
  actor        VARCHAR(254)  NOT NULL,
  note         VARCHAR(1000) NULL,
  created_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_osh_order (order_id, id),
  CONSTRAINT fk_osh_order FOREIGN KEY (order_id) REFERENCES purchase_orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
