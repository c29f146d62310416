-- The audience of an event: NULL for an event told to every webhook
-- subscription of its organization whose filter names its type; the row
-- id of one subscription for an event addressed to it alone
-- (webhook.test), whatever its filter. No foreign key: the outbox keeps
-- its rows when a subscription is deleted, and the fan-out skips an
-- addressee that is gone.
ALTER TABLE events ADD COLUMN subscription_id BIGINT UNSIGNED NULL
  AFTER org_id;
