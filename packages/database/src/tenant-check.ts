import { Client } from "pg";
import {
  type CrossTenantTable,
  LOOKUP_POLICY,
  lookupCondition,
  TENANT_POLICY,
  TENANT_SETTING,
} from "./tenant";

interface PolicyRow {
  table: string;
  name: string;
  permissive: string;
  cmd: string;
  qual: string | null;
  with_check: string | null;
}

/**
 * What keeps the database from isolating its tenants, as one sentence per gap; [] when nothing does.
 * Every table of the connection's schema with an `account_id` column is found through
 * information_schema (no hand-kept list to go stale) and must have row-level security enabled and
 * forced with exactly the tenant policy; a declared cross-tenant table may add its one lookup policy,
 * and nothing else. The connecting role must be neither superuser nor BYPASSRLS, or no policy binds it.
 * Call it from a service's tests with the service's own database URL and its cross-tenant declaration.
 */
export async function tenantIsolationGaps(
  databaseUrl: string,
  crossTenant: readonly CrossTenantTable[] = [],
): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const gaps: string[] = [];
    const role = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    );
    if (role.rows[0]?.rolsuper || role.rows[0]?.rolbypassrls)
      gaps.push("the service's role is superuser or BYPASSRLS: no policy binds it");

    const tables = await client.query<{ table: string; enabled: boolean; forced: boolean }>(
      `SELECT c.table_name AS table, k.relrowsecurity AS enabled, k.relforcerowsecurity AS forced
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = c.table_schema::regnamespace
        WHERE c.table_schema = current_schema() AND c.column_name = 'account_id' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name`,
    );
    const policies = await client.query<PolicyRow>(
      `SELECT tablename AS table, policyname AS name, permissive, cmd, qual, with_check
         FROM pg_policies WHERE schemaname = current_schema()`,
    );
    const declared = new Map(crossTenant.map((entry) => [entry.table, entry]));
    const tenant = normalize(`account_id = current_setting('${TENANT_SETTING}', true)`);

    for (const { table, enabled, forced } of tables.rows) {
      if (!enabled || !forced)
        gaps.push(`${table}: row-level security is not ${enabled ? "forced" : "enabled"}`);
      const own = policies.rows.filter((policy) => policy.table === table);
      const tenantPolicy = own.find((policy) => policy.name === TENANT_POLICY);
      if (
        tenantPolicy?.cmd !== "ALL" ||
        tenantPolicy.permissive !== "PERMISSIVE" ||
        normalize(tenantPolicy.qual) !== tenant ||
        normalize(tenantPolicy.with_check) !== tenant
      )
        gaps.push(`${table}: no ${TENANT_POLICY} policy comparing account_id with ${TENANT_SETTING}`);
      const lookup = declared.get(table);
      for (const policy of own) {
        if (policy.name === TENANT_POLICY) continue;
        const allowed =
          lookup !== undefined &&
          policy.name === LOOKUP_POLICY &&
          policy.cmd === "SELECT" &&
          normalize(policy.qual) === normalize(lookupCondition(lookup));
        if (!allowed) gaps.push(`${table}: policy ${policy.name} opens more than its declared lookup`);
      }
      if (lookup && !own.some((policy) => policy.name === LOOKUP_POLICY))
        gaps.push(`${table}: declared cross-tenant but has no ${LOOKUP_POLICY} policy`);
    }
    const found = new Set(tables.rows.map((row) => row.table));
    for (const table of declared.keys())
      if (!found.has(table)) gaps.push(`${table}: declared cross-tenant but not a table with account_id`);
    return gaps;
  } finally {
    await client.end();
  }
}

/** Postgres prints policies back with casts and parentheses of its own; compare what is left. */
function normalize(expression: string | null): string {
  return (expression ?? "")
    .replace(/::text/g, "")
    .replace(/[()\s]/g, "")
    .toLowerCase();
}
