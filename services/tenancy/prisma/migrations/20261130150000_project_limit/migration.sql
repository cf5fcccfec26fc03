-- The plan's `projects` limit beside its seat limit (issue #13), projected from the same billing events.
ALTER TABLE "account_traits" ADD COLUMN "project_limit" INTEGER;

-- Organizations that already have a plan: the limits of catalog version 1 (the only one published so
-- far), so none of them falls to the no-plan limit before the next plan event; a plan the catalog does
-- not know is left unlimited rather than refused. A rebuild of the read models gives the exact values
-- back from billing's topic. Tenant by tenant (row-level security is forced on account_traits),
-- as the tenants of tenancy's own log.
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    UPDATE account_traits
      SET project_limit = CASE plan WHEN 'starter' THEN 10 WHEN 'professional' THEN 50 ELSE -1 END
      WHERE account_id = tenant AND plan IS NOT NULL;
  END LOOP;
END $$;
