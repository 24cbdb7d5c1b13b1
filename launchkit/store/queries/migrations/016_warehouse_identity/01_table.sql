-- purpose: the warehouse's identity: a random id made once, when the warehouse is created (or first
--          migrated), carried by its backups and kept by a restore, so that deployments sharing a
--          backup folder each count and rotate only their own backups
-- grain: one row
-- parameters: none
CREATE TABLE warehouse_identity (
    warehouse_id VARCHAR NOT NULL PRIMARY KEY,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
