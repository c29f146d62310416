-- A SKU matches exactly: case and trailing spaces count ("COF-1KG" is
-- not "cof-1kg "), as ERPs treat them and as the C side compares them.
ALTER TABLE inventory_items
  MODIFY sku VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
  NOT NULL;
