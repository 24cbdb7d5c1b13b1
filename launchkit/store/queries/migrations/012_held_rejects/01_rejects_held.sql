-- purpose: a reject whose reason can change (the time window, a configured cap) is held: later loads
--          re-evaluate it (launchkit.ingest.held)
-- grain: one row per rejected input row
-- parameters: none
ALTER TABLE rejects ADD COLUMN held BOOLEAN DEFAULT false
