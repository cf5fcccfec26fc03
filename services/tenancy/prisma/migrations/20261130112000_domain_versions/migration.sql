-- AlterTable
ALTER TABLE "domains" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing domains take the version of their last event in the log (a domain's aggregate id is
-- its id), tenant by tenant: row-level security is forced.
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    UPDATE domains d SET version = e.version
      FROM (SELECT aggregate_id, max(version) AS version FROM platform_events GROUP BY aggregate_id) e
      WHERE e.aggregate_id = d.id;
  END LOOP;
END $$;
