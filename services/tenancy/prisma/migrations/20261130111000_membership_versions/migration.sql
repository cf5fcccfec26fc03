-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Existing memberships take the version of their last event in the log (a membership's aggregate id
-- is group_id:user_id), tenant by tenant: row-level security is forced.
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    UPDATE memberships m SET version = e.version
      FROM (SELECT aggregate_id, max(version) AS version FROM platform_events GROUP BY aggregate_id) e
      WHERE e.aggregate_id = m.group_id || ':' || m.user_id;
  END LOOP;
END $$;
