-- @platform/event-sourcing: the topic joins the key of platform_applied_versions, because an aggregate
-- id is unique only within one service's log. Existing rows do not say which topic they came from, so
-- each is kept for every topic its consumer group has stored offsets for: a relay re-publication of a
-- version applied before this migration stays skipped (nothing is applied twice).
ALTER TABLE "platform_applied_versions" DROP CONSTRAINT "platform_applied_versions_pkey",
ADD COLUMN     "topic" TEXT;

INSERT INTO "platform_applied_versions" ("consumer_group", "topic", "aggregate_id", "version")
SELECT v."consumer_group", o."topic", v."aggregate_id", v."version"
FROM "platform_applied_versions" v
JOIN (SELECT DISTINCT "consumer_group", "topic" FROM "platform_consumer_offsets") o
  ON o."consumer_group" = v."consumer_group"
WHERE v."topic" IS NULL;

DELETE FROM "platform_applied_versions" WHERE "topic" IS NULL;

ALTER TABLE "platform_applied_versions" ALTER COLUMN "topic" SET NOT NULL,
ADD CONSTRAINT "platform_applied_versions_pkey" PRIMARY KEY ("consumer_group", "topic", "aggregate_id");
