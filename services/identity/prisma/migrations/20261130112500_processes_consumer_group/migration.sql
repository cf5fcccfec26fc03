-- identity's projector is split in two consumer groups: the read models (READ_MODEL_GROUP, rebuilt by
-- replaying their topics) and the processes (READ_MODEL_GROUP.processes: tenancy's membership events,
-- which revoke access by appending events, never replayed). The processes group starts where the one
-- group was, so a database that predates the split does not apply its members' events again (which
-- would revoke API keys made since a role change). Data only; a new database has no rows to copy.
INSERT INTO "platform_consumer_offsets" ("consumer_group", "topic", "partition", "next_offset", "updated_at")
SELECT "consumer_group" || '.processes', "topic", "partition", "next_offset", "updated_at"
FROM "platform_consumer_offsets"
WHERE "consumer_group" NOT LIKE '%.processes'
ON CONFLICT DO NOTHING;

INSERT INTO "platform_applied_versions" ("consumer_group", "topic", "aggregate_id", "version")
SELECT "consumer_group" || '.processes', "topic", "aggregate_id", "version"
FROM "platform_applied_versions"
WHERE "consumer_group" NOT LIKE '%.processes'
ON CONFLICT DO NOTHING;
