-- Webhook-type integrations receive events through the one delivery
-- worker (issue 13): a delivery, with its leases, retries and attempt
-- log, is to a webhook subscription or to an integration, never both.
-- Deleting an integration removes its deliveries (and their attempts);
-- (integration, event) is unique as (subscription, event) is, so a
-- fan-out that runs again adds nothing.
ALTER TABLE webhook_deliveries
  MODIFY subscription_id BIGINT UNSIGNED NULL,
  ADD COLUMN integration_id BIGINT UNSIGNED NULL AFTER subscription_id,
  ADD UNIQUE KEY uq_del_integ_event (integration_id, event_id),
  ADD CONSTRAINT fk_del_integ FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE,
  ADD CONSTRAINT ck_del_target CHECK
    ((subscription_id IS NULL) <> (integration_id IS NULL));
