-- Outbox consumers isolate failures, and the worker trims what grows
-- (issue 16).
--
-- An event a consumer fails on is retried with backoff a bounded number
-- of times (event_retry_schedule), then parked, while the consumer's
-- cursor moves on past it: one row per (consumer, event), removed when a
-- retry succeeds. `mihwarctl events failed` lists them.
CREATE TABLE event_failures (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  consumer         VARCHAR(64)   NOT NULL,
  event_id         BIGINT UNSIGNED NOT NULL,
  org_id           BIGINT UNSIGNED NOT NULL,
  state            ENUM('retrying','parked') NOT NULL,
  attempts         INT UNSIGNED  NOT NULL,
  last_error       VARCHAR(500)  NOT NULL,
  first_failed_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_failed_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  next_retry_at    DATETIME(3)   NULL,
  UNIQUE KEY uq_failure (consumer, event_id),
  KEY ix_failure_due (consumer, state, next_retry_at),
  KEY ix_failure_event (event_id),
  KEY ix_failure_org (org_id, id),
  KEY ix_failure_last (state, last_failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Retention (events_retention_days) finds old events by age and asks
-- whether any of their deliveries is still under way; sessions expire
-- by age or idleness.
ALTER TABLE events ADD KEY ix_event_created (created_at);
ALTER TABLE webhook_deliveries ADD KEY ix_del_event (event_id, state);
ALTER TABLE sessions
  ADD KEY ix_session_created (created_at),
  ADD KEY ix_session_seen (last_seen_at);
ALTER TABLE user_links
  ADD KEY ix_link_used (used_at),
  ADD KEY ix_link_expires (expires_at);
