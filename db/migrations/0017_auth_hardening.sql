-- Authentication hardening (issue 16, items 3 and 4). Written to be run
-- again over the same schema without harm (a test does).
--
-- Throttle keys are bytes: the sign-in throttle keys by user id or by a
-- hash (lib/auth/session.c), but no key may fail to store because of
-- its characters, as a non-ASCII one did in the ascii column.
ALTER TABLE rate_counters MODIFY scope VARBINARY(160) NOT NULL;

-- A SCIM password is write-only (RFC 7643 "returned": "never") and kept
-- only as its argon2id hash. Before this, a password sent under its
-- fully qualified name ("urn:ietf:params:scim:schemas:core:2.0:User:
-- password", in any case) was kept in the stored document: remove every
-- top-level key that names the password, one key per row and pass until
-- none is left (a document may hold several spellings). The password
-- itself is not set from it: it came from the client in the clear and
-- must be sent again.
BEGIN NOT ATOMIC
  REPEAT
    UPDATE users SET scim_json = JSON_REMOVE(scim_json, CONCAT('$."',
      (SELECT k.name FROM JSON_TABLE(JSON_KEYS(users.scim_json), '$[*]'
        COLUMNS (name VARCHAR(1024) PATH '$')) k
       WHERE LOWER(k.name) IN ('password',
         'urn:ietf:params:scim:schemas:core:2.0:user:password')
       LIMIT 1), '"'))
    WHERE scim_json IS NOT NULL AND JSON_VALID(scim_json)
      AND JSON_TYPE(scim_json) = 'OBJECT'
      AND EXISTS (SELECT 1 FROM JSON_TABLE(JSON_KEYS(users.scim_json),
        '$[*]' COLUMNS (name VARCHAR(1024) PATH '$')) k
       WHERE LOWER(k.name) IN ('password',
         'urn:ietf:params:scim:schemas:core:2.0:user:password'));
  UNTIL ROW_COUNT() = 0 END REPEAT;
END;
