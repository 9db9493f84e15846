-- Bodies are end-to-end encrypted (ENC-1): compression never wins, and the default storage tried
-- pglz on every chunk before giving up (issue 16). EXTERNAL keeps them out of line, uncompressed;
-- rows written before this keep the storage they have. In a trial of 5,000 inserts of 4 KiB
-- encrypted text, the fastest insert went from 76 to 56 µs (lz4 instead: 69; inline with
-- toast_tuple_target: 50, but 44 % more space, one body per page).
ALTER TABLE body_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
