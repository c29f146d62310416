-- Invoice cases (invoice-case-integrations.md): a supplier invoice that is
-- approved, then posted to inventory, payables and the ledger, each of
-- which can be rolled back exactly. Money and quantities are DECIMAL.

-- vendor_key is "id:<vendor_id>" or "name:<vendor_name>", compared without
-- case: the same vendor and invoice number may be open only once
-- (live_number is NULL once a case is rejected, so a rejected invoice can
-- be sent again).
CREATE TABLE invoice_cases (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id       VARCHAR(64)   NOT NULL,
  org_id          BIGINT UNSIGNED NOT NULL,
  status          VARCHAR(16)   NOT NULL DEFAULT 'pending',
  invoice_number  VARCHAR(100)  NOT NULL,
  invoice_date    DATE          NOT NULL,
  vendor_name     VARCHAR(200)  NOT NULL,
  vendor_ref      VARCHAR(64)   NULL,
  vendor_key      VARCHAR(210)  NOT NULL,
  currency        CHAR(3)       NOT NULL DEFAULT 'USD',
  subtotal        DECIMAL(18,4) NOT NULL,
  tax             DECIMAL(18,4) NOT NULL,
  total           DECIMAL(18,4) NOT NULL,
  created_by      VARCHAR(254)  NOT NULL,
  created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                  ON UPDATE CURRENT_TIMESTAMP(3),
  decided_by      VARCHAR(254)  NULL,
  decided_at      DATETIME(3)   NULL,
  decision_note   VARCHAR(1000) NULL,
  -- automatic integration: queued -> running -> done; attempts and the
  -- next try for transient errors (exponential backoff)
  auto_state      VARCHAR(16)   NULL,
  auto_attempts   INT UNSIGNED  NOT NULL DEFAULT 0,
  auto_next_at    DATETIME(3)   NULL,
  auto_error      VARCHAR(500)  NULL,
  live_number     VARCHAR(100)  AS (IF(status = 'rejected', NULL,
                  invoice_number)) PERSISTENT,
  UNIQUE KEY uq_case_public (public_id),
  UNIQUE KEY uq_case_invoice (org_id, vendor_key, live_number),
  KEY ix_case_org_status (org_id, status, id),
  KEY ix_case_auto (auto_state, auto_next_at),
  CONSTRAINT fk_case_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoice_case_lines (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  case_id      BIGINT UNSIGNED NOT NULL,
  org_id       BIGINT UNSIGNED NOT NULL,
  line_no      INT UNSIGNED  NOT NULL,
  sku          VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
               NOT NULL,
  description  VARCHAR(500)  NOT NULL DEFAULT '',
  quantity     DECIMAL(18,4) NOT NULL,
  unit_price   DECIMAL(18,4) NOT NULL,
  line_total   DECIMAL(18,4) NOT NULL,
  UNIQUE KEY uq_case_line (case_id, line_no),
  CONSTRAINT fk_case_line_case FOREIGN KEY (case_id)
    REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every state change and integration action: who, when, what, result.
CREATE TABLE invoice_case_audit (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  case_id     BIGINT UNSIGNED NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  actor       VARCHAR(254)  NOT NULL,
  action      VARCHAR(64)   NOT NULL,
  result      VARCHAR(64)   NOT NULL,
  detail      VARCHAR(2000) NULL,
  created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_case_audit (case_id, id),
  CONSTRAINT fk_case_audit_case FOREIGN KEY (case_id)
    REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each system's state on a case: integrated, rolled_back or failed, with
-- the last result body and error code.
CREATE TABLE invoice_case_systems (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  case_id         BIGINT UNSIGNED NOT NULL,
  org_id          BIGINT UNSIGNED NOT NULL,
  system          VARCHAR(16)   NOT NULL,
  state           VARCHAR(16)   NOT NULL,
  error_code      VARCHAR(64)   NULL,
  result          TEXT          NULL,
  integrated_at   DATETIME(3)   NULL,
  integrated_by   VARCHAR(254)  NULL,
  rolled_back_at  DATETIME(3)   NULL,
  rolled_back_by  VARCHAR(254)  NULL,
  updated_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                  ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_case_system (case_id, system),
  CONSTRAINT fk_case_system_case FOREIGN KEY (case_id)
    REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Optional artifacts (PDF, PNG, JPEG up to 8 MiB), kept in the database.
CREATE TABLE invoice_case_artifacts (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id     VARCHAR(64)   NOT NULL,
  case_id       BIGINT UNSIGNED NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  filename      VARCHAR(255)  NOT NULL,
  content_type  VARCHAR(32)   NOT NULL,
  size_bytes    INT UNSIGNED  NOT NULL,
  sha256        CHAR(64)      NOT NULL,
  body          MEDIUMBLOB    NOT NULL,
  created_by    VARCHAR(254)  NOT NULL,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_artifact_public (public_id),
  KEY ix_artifact_case (case_id, id),
  CONSTRAINT fk_artifact_case FOREIGN KEY (case_id)
    REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exports: a capability URL (only the token's hash is kept) serving the
-- stored bytes until expires_at, then 410. An artifact link keeps no copy.
CREATE TABLE invoice_case_exports (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash    BINARY(32)    NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  case_id       BIGINT UNSIGNED NOT NULL,
  artifact_id   BIGINT UNSIGNED NULL,
  format        VARCHAR(8)    NOT NULL,
  content_type  VARCHAR(64)   NOT NULL,
  filename      VARCHAR(255)  NOT NULL,
  size_bytes    INT UNSIGNED  NOT NULL,
  body          MEDIUMBLOB    NULL,
  expires_at    DATETIME(3)   NOT NULL,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_export_token (token_hash),
  KEY ix_export_expiry (expires_at),
  CONSTRAINT fk_export_case FOREIGN KEY (case_id)
    REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per organization: automatic integration and the account mapping.
CREATE TABLE invoice_case_settings (
  org_id            BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  auto_enabled      TINYINT(1)    NOT NULL DEFAULT 0,
  auto_systems      VARCHAR(64)   NOT NULL DEFAULT 'inventory,ap,accounting',
  auto_on_failure   VARCHAR(16)   NOT NULL DEFAULT 'rollback',
  account_inventory VARCHAR(32)   NULL DEFAULT '1400',
  account_tax       VARCHAR(32)   NULL DEFAULT '6300',
  account_payable   VARCHAR(32)   NULL DEFAULT '2100',
  updated_at        DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                    ON UPDATE CURRENT_TIMESTAMP(3),
  CONSTRAINT fk_case_settings_org FOREIGN KEY (org_id)
    REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Inventory: SKU aliases (vendor_ref NULL: global), and every stock and
-- cost change a case made, so that a rollback restores them exactly.
-- A move is live until reversed_at is set; live_line lets one case line
-- be posted only once at a time (a rollback frees it to post again).
CREATE TABLE vendor_sku_aliases (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id     VARCHAR(64)   NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  vendor_ref    VARCHAR(64)   NULL,
  vendor_sku    VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
                NOT NULL,
  internal_sku  VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
                NOT NULL,
  vendor_scope  VARCHAR(64)   AS (COALESCE(vendor_ref, '')) PERSISTENT,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_alias_public (public_id),
  UNIQUE KEY uq_alias (org_id, vendor_scope, vendor_sku),
  CONSTRAINT fk_alias_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoice_case_stock_moves (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  case_id        BIGINT UNSIGNED NOT NULL,
  org_id         BIGINT UNSIGNED NOT NULL,
  line_no        INT UNSIGNED  NOT NULL,
  item_id        BIGINT UNSIGNED NOT NULL,
  item_public_id CHAR(36)      NOT NULL,
  quantity       DECIMAL(18,4) NOT NULL,
  prev_cost      DECIMAL(18,4) NULL,
  new_cost       DECIMAL(18,4) NOT NULL,
  created_item   TINYINT(1)    NOT NULL,
  prev_archived  TINYINT(1)    NOT NULL,
  reversed_at    DATETIME(3)   NULL,
  created_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  live_line      INT UNSIGNED  AS (IF(reversed_at IS NULL, line_no, NULL))
                 PERSISTENT,
  UNIQUE KEY uq_move_live_line (case_id, live_line),
  KEY ix_move_case (case_id, reversed_at, id),
  CONSTRAINT fk_move_case FOREIGN KEY (case_id) REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Payables: vendors with their balance, and bills. A voided bill stays,
-- readable, but no longer counts (live_case_id is NULL once voided).
CREATE TABLE ap_vendors (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id   VARCHAR(64)   NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(200)  NOT NULL,
  currency    CHAR(3)       NOT NULL DEFAULT 'USD',
  balance     DECIMAL(18,4) NOT NULL DEFAULT 0,
  created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
              ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_ap_vendor_public (public_id),
  UNIQUE KEY uq_ap_vendor_name (org_id, name),
  KEY ix_ap_vendor_org (org_id, id),
  CONSTRAINT fk_ap_vendor_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ap_bills (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id       VARCHAR(64)   NOT NULL,
  org_id          BIGINT UNSIGNED NOT NULL,
  vendor_id       BIGINT UNSIGNED NOT NULL,
  case_id         BIGINT UNSIGNED NOT NULL,
  invoice_number  VARCHAR(100)  NOT NULL,
  amount          DECIMAL(18,4) NOT NULL,
  currency        CHAR(3)       NOT NULL,
  bill_date       DATE          NOT NULL,
  due_date        DATE          NOT NULL,
  status          VARCHAR(16)   NOT NULL DEFAULT 'open',
  created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  voided_at       DATETIME(3)   NULL,
  live_case_id    BIGINT UNSIGNED AS (IF(status = 'void', NULL, case_id))
                  PERSISTENT,
  live_number     VARCHAR(100)  AS (IF(status = 'void', NULL,
                  invoice_number)) PERSISTENT,
  UNIQUE KEY uq_bill_public (public_id),
  UNIQUE KEY uq_bill_live_case (live_case_id),
  UNIQUE KEY uq_bill_live_number (org_id, vendor_id, live_number),
  KEY ix_bill_vendor (vendor_id, id),
  KEY ix_bill_case (case_id),
  CONSTRAINT fk_bill_vendor FOREIGN KEY (vendor_id) REFERENCES ap_vendors (id),
  CONSTRAINT fk_bill_case FOREIGN KEY (case_id) REFERENCES invoice_cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The ledger: a chart of accounts per organization (seeded with
-- Inventory, Tax Expense and Accounts Payable when first used), journal
-- entries and their lines. A reversal is an entry of its own pointing at
-- the one it reverses; the original stays.
CREATE TABLE ledger_accounts (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id      BIGINT UNSIGNED NOT NULL,
  code        VARCHAR(32)   NOT NULL,
  name        VARCHAR(200)  NOT NULL,
  type        VARCHAR(16)   NOT NULL,
  created_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_account_code (org_id, code),
  CONSTRAINT fk_account_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE journal_entries (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id     VARCHAR(64)   NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  case_id       BIGINT UNSIGNED NULL,
  reverses_id   BIGINT UNSIGNED NULL,
  entry_date    DATE          NOT NULL,
  memo          VARCHAR(500)  NOT NULL,
  currency      CHAR(3)       NOT NULL,
  total_debits  DECIMAL(18,4) NOT NULL,
  total_credits DECIMAL(18,4) NOT NULL,
  reversed_at   DATETIME(3)   NULL,
  created_by    VARCHAR(254)  NOT NULL,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  -- one live posting per case: NULL once reversed, and for reversals
  live_case_id  BIGINT UNSIGNED AS (IF(reversed_at IS NULL AND
                reverses_id IS NULL, case_id, NULL)) PERSISTENT,
  UNIQUE KEY uq_entry_public (public_id),
  UNIQUE KEY uq_entry_live_case (live_case_id),
  KEY ix_entry_org (org_id, id),
  KEY ix_entry_case (case_id, id),
  CONSTRAINT fk_entry_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE journal_lines (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entry_id    BIGINT UNSIGNED NOT NULL,
  org_id      BIGINT UNSIGNED NOT NULL,
  account_id  BIGINT UNSIGNED NOT NULL,
  debit       DECIMAL(18,4) NOT NULL DEFAULT 0,
  credit      DECIMAL(18,4) NOT NULL DEFAULT 0,
  memo        VARCHAR(200)  NOT NULL DEFAULT '',
  KEY ix_line_entry (entry_id, id),
  KEY ix_line_account (org_id, account_id),
  CONSTRAINT fk_jline_entry FOREIGN KEY (entry_id)
    REFERENCES journal_entries (id),
  CONSTRAINT fk_jline_account FOREIGN KEY (account_id)
    REFERENCES ledger_accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
