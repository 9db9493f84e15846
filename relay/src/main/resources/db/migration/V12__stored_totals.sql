-- The stored-messages and stored-bytes totals (chatmail_stored_messages, chatmail_stored_bytes,
-- `chatmail status`) kept as they change, instead of counted at every read. Summing the bodies'
-- sizes read the whole bodies table, and with bodies up to 64 KiB inline that is nearly the
-- whole database: about 4 GB of pages for 1,000,000 messages of 4 KiB, at every metrics scrape.
-- Triggers keep the totals in the same transaction as the rows, whichever statement (delivery,
-- COPY, MOVE, expunge, expiry, quota trim, a deleted account's cascade, import) changes them.
-- Never write these two tables with REPLACE (INSERT OR REPLACE, ON CONFLICT REPLACE): the row it
-- replaces goes without firing the delete triggers (recursive_triggers is off), and the totals
-- would drift.
INSERT OR REPLACE INTO store_counters (name, value) VALUES
    ('stored_messages', (SELECT count(*) FROM messages)),
    ('stored_body_bytes', (SELECT coalesce(sum(size), 0) FROM bodies));

CREATE TRIGGER messages_total_in AFTER INSERT ON messages BEGIN
    UPDATE store_counters SET value = value + 1 WHERE name = 'stored_messages';
END;
CREATE TRIGGER messages_total_out AFTER DELETE ON messages BEGIN
    UPDATE store_counters SET value = value - 1 WHERE name = 'stored_messages';
END;
CREATE TRIGGER bodies_total_in AFTER INSERT ON bodies BEGIN
    UPDATE store_counters SET value = value + NEW.size WHERE name = 'stored_body_bytes';
END;
CREATE TRIGGER bodies_total_out AFTER DELETE ON bodies BEGIN
    UPDATE store_counters SET value = value - OLD.size WHERE name = 'stored_body_bytes';
END;
CREATE TRIGGER bodies_total_resized AFTER UPDATE OF size ON bodies BEGIN
    UPDATE store_counters SET value = value - OLD.size + NEW.size WHERE name = 'stored_body_bytes';
END;
