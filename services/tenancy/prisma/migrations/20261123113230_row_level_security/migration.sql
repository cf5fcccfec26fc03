-- Tenant isolation, the second wall behind every query's own account filter. A row of a tenant table
-- is visible and writable only inside a transaction that has set app.tenant_id to its account
-- (set_config(..., true): per transaction, never per session, so a pooled connection cannot carry one
-- tenant's setting into another's work). Without a tenant set, current_setting(..., true) is NULL and
-- nothing matches. FORCE makes the policies apply to the tables' owner, which is the service's role.
DO $$
DECLARE
  tenant_table text;
BEGIN
  FOREACH tenant_table IN ARRAY ARRAY['organizations', 'groups', 'memberships', 'invitations', 'domains', 'account_traits']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (account_id = current_setting(''app.tenant_id'', true)) '
      'WITH CHECK (account_id = current_setting(''app.tenant_id'', true))',
      tenant_table
    );
  END LOOP;
END
$$;
