-- AlterTable
ALTER TABLE "tickets" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing tickets take the version of their last event in the log, tenant by tenant (row-level
-- security is forced, so each tenant's rows are visible only with its id set).
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    UPDATE tickets t SET version = e.version
      FROM (SELECT aggregate_id, max(version) AS version FROM platform_events GROUP BY aggregate_id) e
      WHERE e.aggregate_id = t.id;
  END LOOP;
END $$;
