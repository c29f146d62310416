-- Issue 14: search= answered by indexes, not by a scan of the whole
-- organization. A SKU prefix goes through (org_id, sku); words go
-- through a FULLTEXT index over search_words, a column the server
-- computes from the row, so every writer (the items API, ingestion's
-- autoCreateItems, cases, the import's bulk inserts, blueprints) keeps
-- it right without knowing it exists.
--
-- search_words holds each word of the text (a run of letters and
-- digits; anything else separates words, "_" too) as "o<org>_<word>",
-- its first 60 characters. The organization in every token scopes the
-- index to one tenant, and makes every token at least 4 characters and
-- never a stopword, so innodb_ft_min_token_size (3) and the stopword
-- list leave short words and words such as "the" searchable. A term is
-- turned into "+o<org>_<word>* ..." by the same expression (the
-- SEARCH_* macros in lib/core/core.h): one definition of a word.
ALTER TABLE inventory_items
  ADD COLUMN search_words TEXT AS (REGEXP_REPLACE(CONCAT_WS(' ', name, sku),
    '[^[:alnum:]]*([[:alnum:]]{1,60})[[:alnum:]]*[^[:alnum:]]*',
    CONCAT('o', org_id, '_\\1 '))) PERSISTENT,
  ADD FULLTEXT KEY ft_item_search (search_words);

ALTER TABLE blueprints
  ADD COLUMN search_words TEXT AS (REGEXP_REPLACE(name,
    '[^[:alnum:]]*([[:alnum:]]{1,60})[[:alnum:]]*[^[:alnum:]]*',
    CONCAT('o', org_id, '_\\1 '))) PERSISTENT,
  ADD FULLTEXT KEY ft_bp_search (search_words);
