/**
 * Tenant isolation: the way every tenant-owned table is made and reached. A tenant table has an
 * `account_id` column, row-level security enabled and FORCED (so the policies bind the table's owner,
 * which is the service's own role), and one policy, `tenant_isolation`, that shows and accepts a row
 * only inside a transaction whose `app.tenant_id` is that row's account. Services reach such tables
 * through `inTenant` / `enterTenant`; their migrations get the SQL from `tenantTableSql`.
 *
 * A table that must be read across tenants (which organization owns a verified domain) is still a
 * tenant table for writes; it is declared once, with its reason, and gets one more policy that opens
 * SELECT only for the key a `lookupAcrossTenants` call names, only while that call runs.
 */

/** The setting the tenant policy compares `account_id` with. */
export const TENANT_SETTING = "app.tenant_id";
export const TENANT_POLICY = "tenant_isolation";
export const LOOKUP_POLICY = "cross_tenant_lookup";
/** The key that opens a whole-table lookup (`lookupBy: null`); a keyed lookup compares its column instead. */
export const ALL_ROWS = "*";

/** Raw SQL on a Prisma client or interactive transaction, whichever service generated it. */
export interface TenantSqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** The transaction client a Prisma client hands to `$transaction(fn)`: a service's `Tx`, from its `Db`. */
// biome-ignore lint/suspicious/noExplicitAny: any Prisma client's overloaded $transaction matches
export type TransactionOf<Db extends { $transaction: (...args: any[]) => unknown }> = Parameters<
  Parameters<Db["$transaction"]>[0]
>[0];

/** A service's Prisma client, reduced to what `inTenant` needs; `Tx` is its transaction client. */
export interface TenantDatabase<Tx extends TenantSqlClient> {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

/**
 * A table read across tenants, and why. `lookupBy` is the column a lookup matches (only rows whose
 * column equals the key become visible), or null when the one reader needs every row.
 */
export interface CrossTenantTable {
  table: string;
  lookupBy: string | null;
  reason: string;
}

/**
 * Runs work in one transaction scoped to one tenant: row-level security then shows and accepts only
 * that organization's rows. The setting is local to the transaction (set_config's third argument),
 * so it never leaks to the next user of a pooled connection.
 */
export async function inTenant<Tx extends TenantSqlClient, T>(
  db: TenantDatabase<Tx>,
  accountId: string,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.$transaction(async (tx) => {
    await enterTenant(tx, accountId);
    return work(tx);
  });
}

/**
 * For code already in a transaction (projection handlers): scope the rest of it to one tenant. An empty
 * id is refused: "" is what app.tenant_id reads on a pooled connection after an earlier transaction set
 * it, so rows filed under "" would be visible with no tenant set at all.
 */
export async function enterTenant(tx: TenantSqlClient, accountId: string): Promise<void> {
  if (accountId === "") throw new Error("enterTenant: an empty tenant id is no tenant");
  await tx.$queryRawUnsafe(`SELECT set_config('${TENANT_SETTING}', $1, true)`, accountId);
}

/**
 * Every tenant the service's event store names, for the few jobs that must visit each tenant in turn
 * (sweeps, read-model resets). The log is the one place that knows every tenant without a table read
 * across tenants, and it is what a rebuild keeps.
 */
export async function allTenantIds(client: TenantSqlClient): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<{ tenant_id: string }[]>(
    "SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL ORDER BY tenant_id",
  );
  return rows.map((row) => row.tenant_id);
}

/**
 * Reads a declared cross-tenant table for one key (or, with `ALL_ROWS` on a table declared without a
 * lookup column, all of it). Only SELECT is opened, and the key is cleared again before the rest of the
 * transaction runs, so a later query in the same transaction sees only its tenant's rows.
 */
export async function lookupAcrossTenants<Tx extends TenantSqlClient, T>(
  tx: Tx,
  table: CrossTenantTable,
  key: string,
  read: (tx: Tx) => Promise<T>,
): Promise<T> {
  const setting = lookupSetting(table.table);
  const close = () => tx.$queryRawUnsafe(`SELECT set_config('${setting}', '', true)`);
  await tx.$queryRawUnsafe(`SELECT set_config('${setting}', $1, true)`, key);
  let result: T;
  try {
    result = await read(tx);
  } catch (error) {
    // A caller may catch the failure and go on in the same transaction: the lookup must not stay open.
    // If the transaction is aborted, closing fails too and the read's own error is the one to report.
    await close().catch(() => undefined);
    throw error;
  }
  await close();
  return result;
}

/** The setting a lookup on one table sets; one per table so a lookup opens no other table. */
export function lookupSetting(table: string): string {
  return `app.lookup.${table}`;
}

/**
 * The migration SQL that makes `table` a tenant table (and, for a declared cross-tenant table, adds its
 * lookup policy). Paste its output into the migration that creates the table: migrations stay plain,
 * reviewable SQL that stock `prisma migrate deploy` applies.
 */
export function tenantTableSql(table: string, crossTenant?: CrossTenantTable): string {
  const name = identifier(table);
  const tenant = `account_id = current_setting('${TENANT_SETTING}', true)`;
  const lines = [
    `ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`,
    `ALTER TABLE ${name} FORCE ROW LEVEL SECURITY;`,
    `CREATE POLICY ${TENANT_POLICY} ON ${name} USING (${tenant}) WITH CHECK (${tenant});`,
  ];
  if (crossTenant) {
    if (crossTenant.table !== table) throw new Error(`declaration for ${crossTenant.table}, not ${table}`);
    lines.push(
      `CREATE POLICY ${LOOKUP_POLICY} ON ${name} FOR SELECT USING (${lookupCondition(crossTenant)});`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The lookup policy's condition, as written in the migration. */
export function lookupCondition(crossTenant: CrossTenantTable): string {
  const key = `current_setting('${lookupSetting(crossTenant.table)}', true)`;
  return crossTenant.lookupBy === null
    ? `${key} = '${ALL_ROWS}'`
    : `${identifier(crossTenant.lookupBy)} = ${key}`;
}

function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}
