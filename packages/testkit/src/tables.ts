import { Client } from "pg";

/** The base tables of the database's current schema, from information_schema (never a list by hand). */
export async function tablesOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    return rows.map((row) => row.table_name).sort();
  } finally {
    await client.end();
  }
}

/** Where a service's table classification (its src/tables.ts) and its database disagree; all empty when they agree. */
export interface ClassificationProblems {
  /** Tables of the database no class names: a new table, not placed yet. */
  unclassified: string[];
  /** Tables named by more than one class (or twice in one). */
  classifiedTwice: string[];
  /** Tables a class names that the database does not have: a stale entry. */
  missing: string[];
}

/** Compares every table of the database with the classes a service puts them in: each exactly once. */
export function classificationProblems(
  tables: readonly string[],
  classes: Readonly<Record<string, readonly string[]>>,
): ClassificationProblems {
  const classified: string[] = Object.values(classes).flat();
  return {
    unclassified: tables.filter((table) => !classified.includes(table)),
    classifiedTwice: classified.filter((table, i) => classified.indexOf(table) !== i),
    missing: classified.filter((table) => !tables.includes(table)),
  };
}
