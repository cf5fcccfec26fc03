// @ts-check
/**
 * Runs Prisma's schema engine, compiled to Wasm (@prisma/schema-engine-wasm), in its own Node process:
 * the package is ESM that imports its .wasm as a module, which neither jest nor the CommonJS build can
 * load in-process, and a Wasm panic must not take the caller down. The engine reaches Postgres through
 * @prisma/adapter-pg, the same driver adapter the services' clients use.
 *
 * Protocol: one JSON request on stdin, one JSON response on stdout.
 *   request:  { "op": "diff", "from": "empty" | "database", "url": "postgresql://...",
 *               "schemaFiles": [{ "path": "...", "content": "..." }], "configDir": "..." }
 * The engine connects to `url` even to diff from empty (it asks the server's version), but only a
 * "database" diff reads its schema; nothing is ever written.
 *   response: { "ok": true, "exitCode": 0 | 2, "sql": "..." } | { "ok": false, "message": "..." }
 * exitCode 2 means "there is a difference" (prisma migrate diff --exit-code), 0 means none.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

async function loadSchemaEngine() {
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = await import(gluePath);
  const module = new WebAssembly.Module(await readFile(gluePath.replace(/\.js$/, ".wasm")));
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  /** @type {() => void} */ (instance.exports.__wbindgen_start)();
  return glue;
}

/**
 * adapter-pg 7.10 has no column type for Postgres' one-byte "char" (OID 18), which the engine's catalog
 * queries return (pg_class.relkind, pg_constraint.contype, ...): "Column type 'char' could not be
 * deserialized". Its values arrive as strings already; reporting them as text (OID 25) is all it takes.
 */
function poolWithCharAsText(pg, config) {
  const fix = (result) => {
    for (const part of Array.isArray(result) ? result : [result]) {
      for (const field of part?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    }
    return result;
  };
  class CharAsTextPool extends pg.Pool {
    async query(...args) {
      return fix(await super.query(...args));
    }
    async connect(...args) {
      if (args.length > 0) return super.connect(...args);
      const client = await super.connect();
      const query = client.query.bind(client);
      client.query = async (...queryArgs) => fix(await query(...queryArgs));
      return client;
    }
  }
  return new CharAsTextPool(config);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function run(request) {
  if (request.op !== "diff") throw new Error(`unknown op ${request.op}`);
  const engineModule = await loadSchemaEngine();
  const pg = require("pg");
  const { PrismaPg } = require("@prisma/adapter-pg");
  const { bindMigrationAwareSqlAdapterFactory } = require("@prisma/driver-adapter-utils");
  const adapter = bindMigrationAwareSqlAdapterFactory(
    new PrismaPg(poolWithCharAsText(pg, { connectionString: request.url })),
  );
  const debug = process.env.PLATFORM_DB_DEBUG ? (line) => process.stderr.write(`${line}\n`) : () => undefined;
  const files = request.schemaFiles.map((file) => ({ path: file.path, content: file.content }));
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: files.map((file) => [file.path, file.content]) },
    debug,
    adapter,
  );
  const from =
    request.from === "database"
      ? { tag: "schemaDatasource", files, configDir: request.configDir }
      : { tag: "empty" };
  const result = await engine.diff({
    from,
    to: { tag: "schemaDatamodel", files },
    script: true,
    exitCode: true,
    filters: { externalTables: [], externalEnums: [] },
  });
  return { ok: true, exitCode: result.exitCode, sql: result.stdout ?? "" };
}

let response;
try {
  response = await run(await readStdin());
} catch (error) {
  response = {
    ok: false,
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}
process.stdout.write(`${JSON.stringify(response)}\n`, () => process.exit(0));
