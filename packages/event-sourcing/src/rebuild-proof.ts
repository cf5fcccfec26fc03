import { Client } from "pg";
import type { EventStore } from "./event-store";
import type { Projector } from "./projector";
import type { SqlClient, TransactionalDatabase } from "./sql";

/**
 * Every table of a service's database, by what writes it (each service's `src/tables.ts`). The rebuild
 * proof keeps the first two, `requestCache` and `notYetProjected`, and empties and rebuilds `inline`
 * and `async`.
 */
export interface TableClasses {
  /** The kit's event store, offsets and applied versions, Prisma's migration log: the log itself. */
  eventStore: readonly string[];
  /** The declared secret store: what must never enter an event, so the log cannot restore it. */
  secretStore: readonly string[];
  /** The service's own state, written by inline handlers and rebuilt from `platform_events`. */
  inline: readonly string[];
  /** Read models, written by projectors and rebuilt from their topics. */
  async: readonly string[];
  /** Still written by commands (not converted yet): kept, and reported as not proven. */
  notYetProjected: readonly string[];
  /**
   * Caches of answers already given (the HTTP kit's idempotency keys): not state, no log implies them,
   * and losing them only lets a retry run again. Kept, never rebuilt, and reported as such.
   */
  requestCache?: readonly string[];
}

/**
 * Columns a replay cannot reproduce, by table, each with its reason. Meant to stay empty: a column that
 * differs after a replay (a wall-clock time, a sequence number) is a bug in its handler, and declaring
 * it here is the last resort, written in the service's tables.ts where review sees it.
 */
export type UnreplayedColumns = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface RebuildProofOptions {
  /**
   * The service's database, on a connection that sees every row. Tenant tables have forced row-level
   * security, which hides every other tenant's rows from the service's own role (the table's owner
   * included), so this is a role with BYPASSRLS or a superuser (`privilegedUrlOf`).
   */
  databaseUrl: string;
  classes: TableClasses;
  unreplayedColumns?: UnreplayedColumns;
  /**
   * The service's whole rebuild (`rebuildService`): inline state from its log, every read model from
   * offset 0 of its topics, returning once each has caught up with the topics' ends.
   */
  rebuild: () => Promise<unknown>;
}

/** A row as Postgres renders each column in JSON (`to_jsonb`), so types compare exactly. */
export type RowText = Readonly<Record<string, string>>;

export interface TableDifference {
  table: string;
  /** Live rows the rebuild did not restore. */
  missing: RowText[];
  /** Rows the rebuild wrote that the live copy did not have. */
  extra: RowText[];
  /** Rows restored under the same key with other values: which columns, live and rebuilt. */
  changed: {
    key: RowText;
    columns: { column: string; live: string | undefined; rebuilt: string | undefined }[];
  }[];
}

export interface RebuildProofReport {
  /** Emptied and rebuilt, with the live copy's row count. */
  proven: { table: string; rows: number }[];
  /** Not emptied: the log itself, the secret store, and the command-written tables the proof cannot cover yet. */
  kept: { eventStore: string[]; secretStore: string[]; requestCache: string[]; notYetProven: string[] };
  differences: TableDifference[];
  equal: boolean;
}

/** The classification does not match the database: nothing was emptied. */
export class TableClassificationError extends Error {
  constructor(readonly gaps: string[]) {
    super(`the tables' classification does not match the database:\n  ${gaps.join("\n  ")}`);
    this.name = "TableClassificationError";
  }
}

/** The service's database on the administrator's credentials, so row-level security hides nothing. */
export function privilegedUrlOf(databaseUrl: string, adminUrl: string): string {
  const privileged = new URL(adminUrl);
  privileged.pathname = new URL(databaseUrl).pathname;
  return privileged.toString();
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The base tables of the connection's schema, from information_schema: never a hand-kept list. */
export async function baseTablesOf(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  return rows.map((row) => row.table_name);
}

/** One sentence per table in no class, in two, or classified but absent; empty when they match. */
export function classificationGaps(tables: readonly string[], classes: TableClasses): string[] {
  const classOf = new Map<string, string[]>();
  for (const [name, members] of Object.entries(classes) as [string, readonly string[]][])
    for (const table of members) classOf.set(table, [...(classOf.get(table) ?? []), name]);
  const gaps: string[] = [];
  for (const table of tables)
    if (!classOf.has(table))
      gaps.push(
        `${table}: in no class (add it to the service's src/tables.ts: inline, async, secret store…)`,
      );
  for (const [table, names] of classOf) {
    if (names.length > 1) gaps.push(`${table}: in ${names.length} classes (${names.join(", ")})`);
    if (!tables.includes(table))
      gaps.push(`${table}: classified (${names.join(", ")}) but not in the database`);
  }
  return gaps;
}

/**
 * The rebuild proof (issue 10, item 3): snapshots every row of every rebuildable table, empties them
 * all, runs the service's rebuild, snapshots again, and compares row by row. A table in no class
 * fails before anything is emptied, so a new table cannot escape the proof by being forgotten.
 *
 * Destructive by design (the rebuilt copy replaces the live one): run it on a quiesced service — no
 * commands and no projector applying new messages while it runs.
 */
export async function proveRebuild(options: RebuildProofOptions): Promise<RebuildProofReport> {
  const { classes } = options;
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const gaps = classificationGaps(await baseTablesOf(client), classes);
    if (gaps.length > 0) throw new TableClassificationError(gaps);
    const rebuilt = [...classes.inline, ...classes.async].sort();
    await assertSeesEveryRow(client, rebuilt);
    const unreplayed = options.unreplayedColumns ?? {};
    const live = new Map<string, RowText[]>();
    for (const table of rebuilt) live.set(table, await snapshot(client, table, unreplayed[table]));
    await empty(client, rebuilt);
    await options.rebuild();
    const differences: TableDifference[] = [];
    for (const table of rebuilt) {
      const difference = compare(
        table,
        await keyColumnsOf(client, table),
        live.get(table) ?? [],
        await snapshot(client, table, unreplayed[table]),
      );
      if (difference) differences.push(difference);
    }
    return {
      proven: rebuilt.map((table) => ({ table, rows: live.get(table)?.length ?? 0 })),
      kept: {
        eventStore: [...classes.eventStore],
        secretStore: [...classes.secretStore],
        requestCache: [...(classes.requestCache ?? [])],
        notYetProven: [...classes.notYetProjected],
      },
      differences,
      equal: differences.length === 0,
    };
  } finally {
    await client.end();
  }
}

/**
 * Empties the tables to rebuild, whatever their service's resets would forget. A kept table may hold
 * a foreign key to a rebuilt one (a key checked at commit, say): the rows
 * are deleted with foreign-key triggers off for this transaction (`session_replication_role`, a
 * superuser's setting), and the rebuild puts back what the kept rows point at; if it does not, the
 * referenced table's missing rows are in the report.
 */
async function empty(client: Client, tables: string[]): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SET LOCAL session_replication_role = replica");
    for (const table of tables) await client.query(`DELETE FROM ${quoted(table)}`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/** Refuses to compare through row-level security, which would hide rows from both snapshots alike. */
async function assertSeesEveryRow(client: Client, tables: string[]): Promise<void> {
  const [role] = (
    await client.query<{ bypasses: boolean }>(
      "SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user",
    )
  ).rows;
  if (role?.bypasses) return;
  const { rows } = await client.query<{ relname: string }>(
    "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relrowsecurity AND relname = ANY($1)",
    [tables],
  );
  if (rows.length > 0)
    throw new Error(
      `row-level security would hide rows of ${rows.map((r) => r.relname).join(", ")} from this role: prove the rebuild on a connection that bypasses it (privilegedUrlOf)`,
    );
}

/** The primary key's columns, or every column when the table has none. */
async function keyColumnsOf(client: Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT a.attname AS column_name
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
  if (rows.length > 0) return rows.map((row) => row.column_name);
  const columns = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  return columns.rows.map((row) => row.column_name);
}

/**
 * Every row, each column as its JSON text (so a timestamp's microseconds, a bigint beyond 2^53 and an
 * array's order all count), in the order of the whole row's text: the same rows give the same list.
 */
async function snapshot(
  client: Client,
  table: string,
  unreplayed: Readonly<Record<string, string>> = {},
): Promise<RowText[]> {
  const left = Object.keys(unreplayed);
  const row = left.length > 0 ? `to_jsonb(t) - $1::text[]` : "to_jsonb(t)";
  const { rows } = await client.query<{ row: Record<string, string> }>(
    `SELECT (SELECT jsonb_object_agg(key, value::text) FROM jsonb_each(${row})) AS row
       FROM ${quoted(table)} t ORDER BY (${row})::text`,
    left.length > 0 ? [left] : [],
  );
  return rows.map((r) => r.row ?? {});
}

function compare(
  table: string,
  keyColumns: string[],
  live: RowText[],
  rebuilt: RowText[],
): TableDifference | undefined {
  const keyOf = (row: RowText) => JSON.stringify(keyColumns.map((column) => row[column]));
  const byKey = (rows: RowText[]) => {
    const map = new Map<string, RowText[]>();
    for (const row of rows) map.set(keyOf(row), [...(map.get(keyOf(row)) ?? []), row]);
    return map;
  };
  const liveByKey = byKey(live);
  const rebuiltByKey = byKey(rebuilt);
  const difference: TableDifference = { table, missing: [], extra: [], changed: [] };
  for (const [key, rows] of liveByKey) {
    const others = [...(rebuiltByKey.get(key) ?? [])];
    for (const row of rows) {
      const same = others.findIndex((other) => JSON.stringify(other) === JSON.stringify(row));
      if (same >= 0) {
        others.splice(same, 1);
        continue;
      }
      const other = others.shift();
      if (!other) {
        difference.missing.push(row);
        continue;
      }
      const columns = [...new Set([...Object.keys(row), ...Object.keys(other)])]
        .filter((column) => row[column] !== other[column])
        .map((column) => ({ column, live: row[column], rebuilt: other[column] }));
      difference.changed.push({
        key: Object.fromEntries(keyColumns.map((column) => [column, row[column] ?? "null"])),
        columns,
      });
    }
    if (others.length > 0) difference.extra.push(...others);
    rebuiltByKey.delete(key);
  }
  for (const rows of rebuiltByKey.values()) difference.extra.push(...rows);
  const empty = !difference.missing.length && !difference.extra.length && !difference.changed.length;
  return empty ? undefined : difference;
}

/** The report as a reader wants it: what was proven, what was kept, and each difference. */
export function formatRebuildProof(service: string, report: RebuildProofReport, shown = 5): string {
  const lines = [
    `${service}: rebuild ${report.equal ? "EQUAL" : "DIFFERS"} — ${report.proven.length} tables rebuilt from the log`,
    `  rebuilt: ${report.proven.map((p) => `${p.table} (${p.rows})`).join(", ") || "none"}`,
    `  kept (event store): ${report.kept.eventStore.join(", ")}`,
    `  kept (secret store): ${report.kept.secretStore.join(", ") || "none"}`,
    `  kept (request cache, not state): ${report.kept.requestCache.join(", ") || "none"}`,
    `  not proven yet (written by commands): ${report.kept.notYetProven.join(", ") || "none — every table is proven"}`,
  ];
  for (const d of report.differences) {
    lines.push(
      `  ${d.table}: ${d.missing.length} missing, ${d.extra.length} extra, ${d.changed.length} changed`,
    );
    for (const row of d.missing.slice(0, shown)) lines.push(`    missing ${JSON.stringify(row)}`);
    for (const row of d.extra.slice(0, shown)) lines.push(`    extra   ${JSON.stringify(row)}`);
    for (const change of d.changed.slice(0, shown))
      lines.push(
        `    changed ${JSON.stringify(change.key)}: ${change.columns
          .map((c) => `${c.column} live ${c.live} rebuilt ${c.rebuilt}`)
          .join("; ")}`,
      );
  }
  return lines.join("\n");
}

/** The proof, failing with its report when the rebuild differs (test harnesses end with it). */
export async function assertRebuildEqual(service: string, options: RebuildProofOptions): Promise<void> {
  const report = await proveRebuild(options);
  if (!report.equal) throw new Error(formatRebuildProof(service, report));
}

/** A read model and what empties it before its topics are replayed. */
export interface ReadModelRebuild<Tx extends SqlClient> {
  /**
   * The running projector, or (when the service's workers are stopped, as in the proof's command) how
   * to make one: it then runs only for the rebuild and is stopped after.
   */
  projector: Projector<Tx> | (() => Projector<Tx>);
  reset: (tx: Tx) => Promise<void>;
}

export interface ServiceRebuild<Tx extends SqlClient> {
  db: TransactionalDatabase<Tx>;
  store: EventStore<Tx>;
  /** Empties the inline projections' tables. */
  resetInline: (tx: Tx) => Promise<void>;
  /** Every projector whose tables are read models (never one that appends events: those are processes). */
  readModels: ReadModelRebuild<Tx>[];
  /** How long each read model may take to catch up with its topics' ends. */
  timeoutMs?: number;
}

/**
 * A service rebuilt from its logs, the one way every service does it: inline state replayed from its
 * own `platform_events`, then each read model reset and replayed from offset 0 of its topics, waiting
 * until it has applied everything up to the topics' end offsets. Process managers (projectors that
 * append events) are not rebuilt: what they did is in the log already.
 */
export async function rebuildService<Tx extends SqlClient>(
  rebuild: ServiceRebuild<Tx>,
): Promise<{ inlineEvents: number }> {
  const inlineEvents = await rebuild.store.rebuildInline(rebuild.db, rebuild.resetInline);
  for (const { projector: given, reset } of rebuild.readModels) {
    const projector = typeof given === "function" ? given() : given;
    try {
      await projector.rebuild(reset);
      await projector.caughtUp(rebuild.timeoutMs);
    } finally {
      if (projector !== given) await projector.stop();
    }
  }
  return { inlineEvents };
}

/**
 * Resolves once the service is at rest: the relay has published every stored event and every
 * projector has applied its topics to their ends, seen twice in a row (a process that appends while
 * another projector catches up starts a new round). What the rebuild proof's live snapshot needs.
 */
export async function settled<Tx extends SqlClient>(
  db: TransactionalDatabase<Tx>,
  projectors: { lag(): Promise<number> }[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  for (;;) {
    const [row] = await db.$transaction((tx) =>
      tx.$queryRawUnsafe<{ unpublished: number }[]>(
        "SELECT count(*)::int AS unpublished FROM platform_events WHERE published_at IS NULL",
      ),
    );
    let pending = row?.unpublished ?? 0;
    for (const projector of projectors) pending += await projector.lag();
    quiet = pending === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return;
    if (Date.now() > deadline) throw new Error(`not settled after ${timeoutMs} ms: ${pending} pending`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface RebuildProofRun extends Omit<RebuildProofOptions, "databaseUrl"> {
  /** Names the service in the report. */
  service: string;
  /** The service's own connection (DATABASE_URL); the proof reads it on `adminUrl`'s credentials. */
  databaseUrl: string;
  adminUrl: string;
  /** Brings the service to rest first (start, workers, `settled`): the live copy must be complete. */
  prepare: () => Promise<void>;
  stop: () => Promise<void>;
}

/** A service's `rebuild-proof` command: prints the report; the exit code says whether it holds. */
export async function runRebuildProof(run: RebuildProofRun): Promise<number> {
  try {
    await run.prepare();
    const report = await proveRebuild({
      ...run,
      databaseUrl: privilegedUrlOf(run.databaseUrl, run.adminUrl),
    });
    console.log(formatRebuildProof(run.service, report));
    return report.equal ? 0 : 1;
  } catch (error) {
    console.error(
      `${run.service}: rebuild proof failed to run: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  } finally {
    await run.stop();
  }
}

/** What a service offers the rebuild proof: the same five steps in identity, tenancy and billing. */
export interface RebuildableService {
  config: { DATABASE_URL: string };
  start(): Promise<void>;
  startWorkers(): Promise<void>;
  /** The relay has published everything and the projectors have read their topics to the end. */
  settled(): Promise<void>;
  rebuildAll(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * A service's `rebuild-proof` script in one call: brings the service to rest (start, workers, settled,
 * so the live copy is whole), proves, prints the report, and exits with its answer (Kafka's clients
 * may keep timers alive after disconnecting, so the exit code is set explicitly). POSTGRES_ADMIN_URL
 * is required: its credentials read the rows row-level security would hide.
 */
export async function rebuildProofMain(
  name: string,
  service: RebuildableService,
  tables: Pick<RebuildProofOptions, "classes" | "unreplayedColumns">,
): Promise<never> {
  const adminUrl = process.env.POSTGRES_ADMIN_URL;
  if (!adminUrl) throw new Error("POSTGRES_ADMIN_URL is required: the proof reads every tenant's rows");
  const code = await runRebuildProof({
    service: name,
    databaseUrl: service.config.DATABASE_URL,
    adminUrl,
    ...tables,
    prepare: async () => {
      await service.start();
      await service.startWorkers();
      await service.settled();
    },
    rebuild: () => service.rebuildAll(),
    stop: () => service.stop(),
  });
  process.exit(code);
}
