-- Checklists: opening, closing and cleaning routines on a schedule in the
-- organization's time zone (IANA name; schedules keep their local time
-- across daylight-saving changes). Templates are the routines; instances
-- are each due occurrence, created ahead by the worker (one per template
-- and due time), done in the console or by API, or missed.
ALTER TABLE organizations
  ADD COLUMN timezone VARCHAR(64) NOT NULL DEFAULT 'UTC';

CREATE TABLE checklist_templates (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id         CHAR(36)      NOT NULL,
  org_id            BIGINT UNSIGNED NOT NULL,
  title             VARCHAR(200)  NOT NULL,
  schedule_kind     VARCHAR(8)    NOT NULL,
  weekdays          VARCHAR(16)   NULL,
  due_time          CHAR(5)       NOT NULL,
  due_after_minutes INT UNSIGNED  NOT NULL DEFAULT 0,
  active            TINYINT(1)    NOT NULL DEFAULT 1,
  deleted_at        DATETIME(3)   NULL,
  created_at        DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at        DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                    ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_cltpl_public (public_id),
  KEY ix_cltpl_org (org_id, id),
  CONSTRAINT fk_cltpl_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE checklist_template_items (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id    CHAR(36)      NOT NULL,
  template_id  BIGINT UNSIGNED NOT NULL,
  org_id       BIGINT UNSIGNED NOT NULL,
  position     INT UNSIGNED  NOT NULL,
  text         VARCHAR(500)  NOT NULL,
  required     TINYINT(1)    NOT NULL DEFAULT 1,
  UNIQUE KEY uq_clitem_public (public_id),
  KEY ix_clitem_tpl (template_id, position),
  CONSTRAINT fk_clitem_tpl FOREIGN KEY (template_id)
    REFERENCES checklist_templates (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- due_at is UTC; local_date the organization's day it belongs to. The
-- items are copied from the template when the instance is made, so a
-- later edit changes only what is still to come.
CREATE TABLE checklist_instances (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id       CHAR(36)      NOT NULL,
  org_id          BIGINT UNSIGNED NOT NULL,
  template_id     BIGINT UNSIGNED NOT NULL,
  template_title  VARCHAR(200)  NOT NULL,
  due_at          DATETIME(3)   NOT NULL,
  grace_until     DATETIME(3)   NOT NULL,
  local_date      DATE          NOT NULL,
  status          VARCHAR(12)   NOT NULL DEFAULT 'open',
  completed_at    DATETIME(3)   NULL,
  completed_by    VARCHAR(254)  NULL,
  late            TINYINT(1)    NOT NULL DEFAULT 0,
  note            VARCHAR(1000) NULL,
  missed_at       DATETIME(3)   NULL,
  created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_clinst_public (public_id),
  UNIQUE KEY uq_clinst_due (template_id, due_at),
  KEY ix_clinst_org_due (org_id, due_at, id),
  KEY ix_clinst_open (status, grace_until),
  CONSTRAINT fk_clinst_tpl FOREIGN KEY (template_id)
    REFERENCES checklist_templates (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE checklist_instance_items (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id    CHAR(36)      NOT NULL,
  instance_id  BIGINT UNSIGNED NOT NULL,
  org_id       BIGINT UNSIGNED NOT NULL,
  position     INT UNSIGNED  NOT NULL,
  text         VARCHAR(500)  NOT NULL,
  required     TINYINT(1)    NOT NULL,
  done         TINYINT(1)    NOT NULL DEFAULT 0,
  UNIQUE KEY uq_clii_public (public_id),
  UNIQUE KEY uq_clii_pos (instance_id, position),
  CONSTRAINT fk_clii_inst FOREIGN KEY (instance_id)
    REFERENCES checklist_instances (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
