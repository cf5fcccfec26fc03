import { spawn } from "node:child_process";
import path from "node:path";
import { SchemaEngineError } from "./errors";
import type { SchemaFile } from "./layout";

const WORKER = path.join(__dirname, "engine", "schema-engine-worker.mjs");
/** What the engine prints for a diff without changes. */
const EMPTY_MIGRATION = "-- This is an empty migration.";

export interface DiffRequest {
  /** `database`: the schema of the database at `url`; `empty`: nothing (`url` is still connected to, never read). */
  from: "empty" | "database";
  url: string;
  schemaFiles: SchemaFile[];
  /** Folder of prisma.config.ts (the engine resolves relative paths against it). */
  configDir: string;
}

/**
 * The SQL that takes `from` (an empty database, or a live one) to the Prisma schema, as
 * `prisma migrate diff --script` prints it; "" when there is nothing to do.
 */
export async function diffToSchema(request: DiffRequest): Promise<string> {
  const response = await runWorker({ op: "diff", ...request });
  if (!response.ok) throw new SchemaEngineError(`schema engine: ${response.message}`);
  const sql = response.sql ?? "";
  if (response.exitCode === 0 || sql.trim() === EMPTY_MIGRATION || sql.trim() === "") return "";
  return sql;
}

interface WorkerResponse {
  ok: boolean;
  exitCode?: number;
  sql?: string;
  message?: string;
}

function runWorker(request: unknown): Promise<WorkerResponse> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (process.env.PLATFORM_DB_DEBUG) process.stderr.write(chunk);
    });
    child.on("error", (error) =>
      reject(new SchemaEngineError(`cannot start the schema engine worker: ${error.message}`)),
    );
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as WorkerResponse);
      } catch {
        reject(
          new SchemaEngineError(
            `schema engine worker exited with ${code} and no answer: ${stderr.trim() || stdout.trim()}`,
          ),
        );
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
