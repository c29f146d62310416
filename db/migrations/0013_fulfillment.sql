-- Storefront fulfillment (fulfillment.openapi.json): an organization is a
-- client storefront; its products are Printful sync products made from a
-- DPI-checked design; its orders come from Stripe Checkout and pass two
-- human gates (the client, then a platform operator) before they are
-- submitted to Printful; production is tracked from Printful's webhooks.

-- A client: whether its storefront answers (chat 404 when not), the
-- origins its chat widget may be embedded on (exact scheme://host[:port],
-- separated by commas; NULL: none, so browsers are refused), and the
-- contact given at onboarding.
ALTER TABLE organizations
  ADD COLUMN client_active   TINYINT(1)   NOT NULL DEFAULT 1,
  ADD COLUMN allowed_domains TEXT         NULL,
  ADD COLUMN contact_email   VARCHAR(254) NULL;

-- Products created through POST /api/products/create.
CREATE TABLE fulfill_products (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id           CHAR(36)      NOT NULL,
  org_id              BIGINT UNSIGNED NOT NULL,
  title               VARCHAR(200)  NOT NULL,
  description         VARCHAR(2000) NULL,
  product_type        VARCHAR(16)   NOT NULL,
  design_url          VARCHAR(2048) NOT NULL,
  colors              VARCHAR(500)  NOT NULL,
  retail_price        DECIMAL(18,4) NOT NULL,
  dpi                 INT UNSIGNED  NULL,
  dpi_warning         VARCHAR(500)  NULL,
  printful_product_id BIGINT        NULL,
  external_id         VARCHAR(64)   NOT NULL,
  mockup_urls         TEXT          NULL,
  created_at          DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_fproduct_public (public_id),
  UNIQUE KEY uq_fproduct_external (external_id),
  KEY ix_fproduct_org (org_id, id),
  CONSTRAINT fk_fproduct_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Orders from Stripe Checkout. One order per checkout session (and per
-- Stripe event: stripe_events). Money is DECIMAL. items and
-- shipping_address are the JSON the contract shows (OrderItem[],
-- ShippingAddress). submit_state guards the one submission to Printful:
-- NULL, then 'submitting' (claimed by a conditional update and committed
-- before the call), then 'submitted'; a failure releases it to NULL, and
-- a claim older than a minute (its process died) is resolved by the
-- worker, which asks Printful for the order by its external id.
-- Printful's webhooks find an order by its id (public_id, the external
-- id) or by printful_order_id.
CREATE TABLE fulfill_orders (
  id                       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id                CHAR(36)      NOT NULL,
  org_id                   BIGINT UNSIGNED NOT NULL,
  status                   VARCHAR(32)   NOT NULL,
  status_note              VARCHAR(2000) NULL,
  customer_email           VARCHAR(254)  NULL,
  items                    MEDIUMTEXT    NOT NULL,
  shipping_address         TEXT          NULL,
  total                    DECIMAL(18,4) NOT NULL,
  currency                 CHAR(3)       NOT NULL DEFAULT 'USD',
  stripe_session_id        VARCHAR(255)  NOT NULL,
  stripe_payment_intent_id VARCHAR(255)  NULL,
  printful_order_id        BIGINT        NULL,
  printful_status          VARCHAR(32)   NULL,
  tracking_number          VARCHAR(255)  NULL,
  tracking_url             VARCHAR(2048) NULL,
  submit_state             VARCHAR(16)   NULL,
  submit_claimed_at        DATETIME(3)   NULL,
  client_decided_by        VARCHAR(254)  NULL,
  client_decided_at        DATETIME(3)   NULL,
  admin_decided_by         VARCHAR(254)  NULL,
  admin_decided_at         DATETIME(3)   NULL,
  created_at               DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at               DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                           ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_forder_public (public_id),
  UNIQUE KEY uq_forder_session (stripe_session_id),
  KEY ix_forder_org_status (org_id, status, id),
  KEY ix_forder_status (status, id),
  KEY ix_forder_email (org_id, customer_email, id),
  KEY ix_forder_printful (printful_order_id),
  KEY ix_forder_submit (submit_state, submit_claimed_at),
  CONSTRAINT fk_forder_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every Stripe event seen, once: a repeated event id changes nothing.
CREATE TABLE stripe_events (
  event_id     VARCHAR(255) NOT NULL PRIMARY KEY,
  type         VARCHAR(100) NOT NULL,
  org_id       BIGINT UNSIGNED NULL,
  order_id     BIGINT UNSIGNED NULL,
  outcome      VARCHAR(64)  NOT NULL,
  received_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Usage: what a client has been billed for (GET /api/me/usage).
CREATE TABLE fulfill_usage_events (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id      BIGINT UNSIGNED NOT NULL,
  kind        VARCHAR(32)   NOT NULL,
  ref_id      VARCHAR(64)   NULL,
  created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_usage_org (org_id, id),
  CONSTRAINT fk_usage_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
