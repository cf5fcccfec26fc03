/**
 * The services' way of using Prisma 7, checked end to end without any native engine: `prisma generate`
 * offline (generateClient), the generated `prisma-client` (CommonJS) on @prisma/adapter-pg, an interactive
 * transaction, and the shape of the errors Postgres raises through it, which sqlStateOf() relies on.
 */
import path from "node:path";
import { Client } from "pg";
import {
  deployMigrations,
  generateClient,
  isSerializationFailure,
  isUniqueViolation,
  sqlStateOf,
} from "../src";
import { dropScratchDatabases, fixtureDir, fixtureMigrationsDir, scratchDatabase } from "./helpers";

// The generated client is not checked in (and not type-checked here): it is loaded at run time, typed by
// the little of its API these tests use.
interface Tx {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRaw<T>(query: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  account: {
    create(args: {
      data: { id: string; tenantId: string; email: string };
    }): Promise<{ id: string; createdAt: Date }>;
    count(args?: { where?: { tenantId?: string } }): Promise<number>;
  };
}
interface FixtureClient extends Tx {
  $transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { isolationLevel?: string }): Promise<T>;
  $disconnect(): Promise<void>;
}
interface GeneratedModule {
  PrismaClient: new (options: { adapter: unknown }) => FixtureClient;
  Prisma: { PrismaClientKnownRequestError: new (...args: never[]) => Error };
}

let generated: GeneratedModule;
let prisma: FixtureClient;
let databaseUrl: string;
const tenant = "00000000-0000-0000-0000-0000000000aa";
const first = "00000000-0000-0000-0000-000000000001";
const second = "00000000-0000-0000-0000-000000000002";

beforeAll(async () => {
  await generateClient(fixtureDir);
  generated = require(path.join(fixtureDir, "src", "generated", "prisma", "client")) as GeneratedModule;
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const db = await scratchDatabase();
  databaseUrl = db.url;
  await deployMigrations({ databaseUrl, migrationsDir: fixtureMigrationsDir });
  prisma = new generated.PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  await prisma.account.create({ data: { id: first, tenantId: tenant, email: "a@example.com" } });
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await dropScratchDatabases();
});

/** The error a promise rejects with, and its meta.driverAdapterError.cause as Prisma 7.10 builds it. */
async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const meta = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } }).meta;
    return { error, code: (error as { code?: unknown }).code, cause: meta?.driverAdapterError?.cause };
  }
  throw new Error("expected a failure");
}

describe("generated Prisma 7 client on @prisma/adapter-pg", () => {
  it("queries, and runs an interactive transaction that commits or rolls back", async () => {
    expect(await prisma.account.count()).toBe(1);
    const updated = await prisma.$transaction(
      async (tx) => tx.$executeRaw`UPDATE accounts SET email = ${"b@example.com"} WHERE id = ${first}::uuid`,
    );
    expect(updated).toBe(1);
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO accounts (id, tenant_id, email) VALUES (${second}::uuid, ${tenant}::uuid, 'c@example.com')`;
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await prisma.account.count()).toBe(1);
  });

  it("surfaces a unique violation inside a transaction as P2010 (raw) / P2002 (model) with the SQLSTATE in meta", async () => {
    const attempts = {
      executeRawUnsafe: prisma.$transaction((tx) =>
        tx.$executeRawUnsafe(
          "INSERT INTO accounts (id, tenant_id, email) VALUES ($1::uuid, $2::uuid, 'b@example.com')",
          second,
          tenant,
        ),
      ),
      executeRaw: prisma.$transaction(
        (tx) =>
          tx.$executeRaw`INSERT INTO accounts (id, tenant_id, email) VALUES (${second}::uuid, ${tenant}::uuid, 'b@example.com')`,
      ),
      create: prisma.$transaction((tx) =>
        tx.account.create({ data: { id: second, tenantId: tenant, email: "b@example.com" } }),
      ),
    };
    const expectedCodes = { executeRawUnsafe: "P2010", executeRaw: "P2010", create: "P2002" };
    for (const [name, attempt] of Object.entries(attempts)) {
      const { error, code, cause } = await failureOf(attempt);
      expect(error).toBeInstanceOf(generated.Prisma.PrismaClientKnownRequestError);
      expect((error as Error).name).toBe("PrismaClientKnownRequestError");
      expect({ name, code }).toEqual({ name, code: expectedCodes[name as keyof typeof expectedCodes] });
      expect(cause).toMatchObject({
        originalCode: "23505",
        kind: "UniqueConstraintViolation",
        constraint: { index: "accounts_tenant_id_email_key" },
      });
      expect(sqlStateOf(error)).toBe("23505");
      expect(isUniqueViolation(error)).toBe(true);
      expect(isSerializationFailure(error)).toBe(false);
    }
    expect(await prisma.account.count()).toBe(1);
  });

  it("surfaces a serialization failure (40001) the same way", async () => {
    const { error, code, cause } = await failureOf(
      prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT email FROM accounts WHERE id = ${first}::uuid`;
          // Another session changes the row after this transaction's snapshot was taken.
          await prisma.$executeRaw`UPDATE accounts SET email = 'other@example.com' WHERE id = ${first}::uuid`;
          await tx.$executeRaw`UPDATE accounts SET email = 'mine@example.com' WHERE id = ${first}::uuid`;
        },
        { isolationLevel: "RepeatableRead" },
      ),
    );
    expect(code).toBe("P2010");
    expect(cause).toMatchObject({ originalCode: "40001", kind: "TransactionWriteConflict" });
    expect(sqlStateOf(error)).toBe("40001");
    expect(isSerializationFailure(error)).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
  });

  it("reads the SQLSTATE from plain pg errors too", async () => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const error = await client
        .query("INSERT INTO accounts (id, tenant_id, email) VALUES ($1, $2, 'z@example.com')", [
          first,
          tenant,
        ])
        .catch((caught: unknown) => caught);
      expect(sqlStateOf(error)).toBe("23505");
      expect(isUniqueViolation(error)).toBe(true);
      const raised = await client
        .query("DO $$ BEGIN RAISE EXCEPTION 'domain rule'; END $$")
        .catch((caught: unknown) => caught);
      expect(sqlStateOf(raised)).toBe("P0001");
      expect(sqlStateOf(new Error("no database involved"))).toBeUndefined();
      expect(sqlStateOf({ code: "P2002" })).toBeUndefined();
    } finally {
      await client.end();
    }
  });
});
