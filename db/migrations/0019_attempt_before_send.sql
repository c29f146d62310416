-- A delivery attempt is logged before its request is sent ('sending')
-- and completed after ('done'), so an attempt whose worker died in
-- between still shows in the log: the next worker to take the delivery
-- over closes it as interrupted. Existing rows were all logged after
-- their send: 'done'.
ALTER TABLE webhook_attempts ADD COLUMN state ENUM('sending','done')
  NOT NULL DEFAULT 'done' AFTER attempt_no;
