-- The three tables with an account_id that had no row-level security become tenant tables like every
-- other: forced RLS and the tenant policy, so writes land only in the transaction's own tenant. Each is
-- read across tenants for one reason (declared with it in src/app/tenant.ts, CROSS_TENANT), so each
-- also gets a SELECT-only policy that opens the rows of one key while lookupAcrossTenants names it.
-- Generated with `platform-db tenant:sql --table <table> --lookup-by <column>` (or --lookup-all).
-- The platform's role defaults move from account '' to 'platform' first: '' is what app.tenant_id reads
-- on a pooled connection after any tenant transaction, so rows under '' would show with no tenant set.
UPDATE role_definitions SET account_id = 'platform' WHERE account_id = '';
ALTER TABLE verified_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE verified_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON verified_domains USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON verified_domains FOR SELECT USING (domain = current_setting('app.lookup.verified_domains', true));
ALTER TABLE organization_creators ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_creators FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organization_creators USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON organization_creators FOR SELECT USING (user_id = current_setting('app.lookup.organization_creators', true));
ALTER TABLE role_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON role_definitions USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
CREATE POLICY cross_tenant_lookup ON role_definitions FOR SELECT USING (current_setting('app.lookup.role_definitions', true) = '*');
