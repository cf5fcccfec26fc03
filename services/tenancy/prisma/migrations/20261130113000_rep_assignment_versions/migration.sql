-- AlterTable
ALTER TABLE "rep_assignments" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing assignments take the version of their last event in the log (the aggregate id is
-- rep:<account id>), tenant by tenant: row-level security is forced.
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    UPDATE rep_assignments r SET version = e.version
      FROM (SELECT aggregate_id, max(version) AS version FROM platform_events GROUP BY aggregate_id) e
      WHERE e.aggregate_id = 'rep:' || r.account_id;
  END LOOP;
END $$;
