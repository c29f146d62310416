-- A one-time message for the next page of a session (sealed): how a
-- secret made by a POST is shown once after the redirect that follows.
ALTER TABLE sessions ADD COLUMN flash VARBINARY(400) NULL;
