-- Activity ingest (activity-ingest.openapi.yaml): an organization's plan
-- and quota, each app's allowed event types, the workers events belong
-- to, the events themselves (partitioned by month), the current snapshot
-- per worker, app and type, and the monthly count quotas are judged by.

-- ingest_enabled 0: 402 api_disabled. The plan's monthly allowance (402
-- plan_limit) and the organization's own budget (429 quota_exceeded):
-- NULL for unlimited.
ALTER TABLE organizations
  ADD COLUMN ingest_enabled       TINYINT(1)      NOT NULL DEFAULT 1,
  ADD COLUMN ingest_plan_events   BIGINT UNSIGNED NULL,
  ADD COLUMN ingest_monthly_quota BIGINT UNSIGNED NULL;

-- allowed_event_types: event types separated by commas; NULL or '' for
-- every type.
ALTER TABLE ingest_apps
  ADD COLUMN allowed_event_types TEXT        NULL,
  ADD COLUMN last_event_at       DATETIME(3) NULL;

-- The people (or bots) events are about. email compares without case
-- (the collation), and is unique per organization when set.
CREATE TABLE workers (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id     CHAR(36)     NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  display_name  VARCHAR(200) NOT NULL,
  email         VARCHAR(254) NULL,
  created_by_app BIGINT UNSIGNED NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_worker_public (public_id),
  UNIQUE KEY uq_worker_org_email (org_id, email),
  CONSTRAINT fk_worker_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An app's own id for a worker (actor.externalId), compared exactly.
CREATE TABLE worker_external_ids (
  app_id       BIGINT UNSIGNED NOT NULL,
  external_id  VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  worker_id    BIGINT UNSIGNED NOT NULL,
  org_id       BIGINT UNSIGNED NOT NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (app_id, external_id),
  KEY ix_wext_worker (worker_id),
  CONSTRAINT fk_wext_app FOREIGN KEY (app_id) REFERENCES ingest_apps (id),
  CONSTRAINT fk_wext_worker FOREIGN KEY (worker_id) REFERENCES workers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The timeline. Partitioned by month on occurred_at (RANGE COLUMNS), so
-- that old months are dropped whole; the worker adds months ahead by
-- splitting p_future. A partitioned table has no foreign keys, and its
-- unique keys hold the partitioning column. ix_act_timeline serves the
-- console's newest-first pages of one organization.
CREATE TABLE activity_events (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  public_id     CHAR(36)     NOT NULL,
  org_id        BIGINT UNSIGNED NOT NULL,
  app_id        BIGINT UNSIGNED NOT NULL,
  worker_id     BIGINT UNSIGNED NOT NULL,
  event_type    VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  category      ENUM('communication','project_management','code','calendar',
                     'design','ai_tools','other') NOT NULL,
  occurred_at   DATETIME(3)  NOT NULL,
  duration_s    INT UNSIGNED NULL,
  metadata      MEDIUMTEXT   NULL,
  received_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id, occurred_at),
  KEY ix_act_timeline (org_id, occurred_at, id),
  KEY ix_act_worker (org_id, worker_id, occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
PARTITION BY RANGE COLUMNS (occurred_at) (
  PARTITION p_before_2000 VALUES LESS THAN ('2000-01-01'),
  PARTITION p_future VALUES LESS THAN (MAXVALUE)
);

-- The current snapshot per worker, app and snapshot type; every snapshot
-- is also kept as an activity event.
CREATE TABLE activity_snapshots (
  worker_id      BIGINT UNSIGNED NOT NULL,
  app_id         BIGINT UNSIGNED NOT NULL,
  snapshot_type  VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  org_id         BIGINT UNSIGNED NOT NULL,
  taken_at       DATETIME(3)  NOT NULL,
  metrics        MEDIUMTEXT   NOT NULL,
  metadata       MEDIUMTEXT   NULL,
  updated_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                 ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (worker_id, app_id, snapshot_type),
  KEY ix_snap_org (org_id, worker_id),
  CONSTRAINT fk_snap_worker FOREIGN KEY (worker_id) REFERENCES workers (id),
  CONSTRAINT fk_snap_app FOREIGN KEY (app_id) REFERENCES ingest_apps (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Events accepted per organization and calendar month (UTC), counted in
-- the transaction that writes them: the plan and the quota read it.
CREATE TABLE ingest_usage (
  org_id   BIGINT UNSIGNED NOT NULL,
  month    CHAR(7)         NOT NULL,	-- YYYY-MM
  events   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
