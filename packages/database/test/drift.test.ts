import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { checkDrift, createMigration, deployMigrations, readMigrations, withScratchDatabase } from "../src";
import { adminUrl, copyFixture, dropScratchDatabases, fixtureDir, query, scratchDatabase } from "./helpers";

afterAll(dropScratchDatabases);

const WIDGET_MODEL = `
model Widget {
  id    Int    @id @default(autoincrement())
  label String @unique

  @@map("widgets")
}
`;

describe("checkDrift", () => {
  it("finds no drift between the fixture's schema and its migrations (written by migrate:new)", async () => {
    expect(await checkDrift({ serviceDir: fixtureDir, adminUrl })).toBe("");
  });

  it("returns the missing SQL after a model is added, and createMigration closes the gap", async () => {
    const service = await copyFixture();
    try {
      await appendFile(path.join(service.dir, "prisma", "schema.prisma"), WIDGET_MODEL);
      const drift = await checkDrift({ serviceDir: service.dir, adminUrl });
      expect(drift).toContain('CREATE TABLE "widgets"');
      expect(drift).toContain('CREATE UNIQUE INDEX "widgets_label_key"');
      expect(drift).not.toContain("_prisma_migrations");
      expect(drift).not.toContain('"accounts"');

      const created = await createMigration({
        serviceDir: service.dir,
        adminUrl,
        name: "add widgets!",
        now: new Date("2000-01-01T00:00:00Z"),
      });
      if (!created) throw new Error("expected a migration");
      // Named after the last existing migration even though the clock is earlier: folder order is apply order.
      const names = (await readMigrations(path.join(service.dir, "prisma", "migrations"))).map((m) => m.name);
      expect(names.at(-1)).toBe(created.migrationName);
      expect(created.migrationName).toMatch(/^\d{14}_add_widgets$/);
      expect(await readFile(path.join(created.migrationDir, "migration.sql"), "utf8")).toBe(drift);
      expect(await checkDrift({ serviceDir: service.dir, adminUrl })).toBe("");
      expect(await createMigration({ serviceDir: service.dir, adminUrl, name: "nothing" })).toBeNull();

      // The new migration deploys on top of a database that already had the old ones.
      const db = await scratchDatabase();
      const migrationsDir = path.join(service.dir, "prisma", "migrations");
      await deployMigrations({
        databaseUrl: db.url,
        migrationsDir: path.join(fixtureDir, "prisma", "migrations"),
      });
      expect((await deployMigrations({ databaseUrl: db.url, migrationsDir })).applied).toEqual([
        created.migrationName,
      ]);
    } finally {
      await service.remove();
    }
  });

  it("detects a migration that no longer matches the schema (hand-edited SQL)", async () => {
    const service = await copyFixture();
    try {
      const migrationsDir = path.join(service.dir, "prisma", "migrations");
      const last = (await readMigrations(migrationsDir)).at(-1);
      if (!last) throw new Error("fixture has no migrations");
      await writeFile(
        last.sqlPath,
        last.script.replace('CREATE INDEX "sessions_account_id_idx"', "-- index dropped by hand\n--"),
      );
      const drift = await checkDrift({ serviceDir: service.dir, adminUrl });
      expect(drift).toContain('CREATE INDEX "sessions_account_id_idx"');
    } finally {
      await service.remove();
    }
  });

  it("reads a multi-file schema from prisma/schema/", async () => {
    const service = await copyFixture();
    try {
      const folder = path.join(service.dir, "prisma", "schema");
      await mkdir(folder);
      await rename(path.join(service.dir, "prisma", "schema.prisma"), path.join(folder, "schema.prisma"));
      expect(await checkDrift({ serviceDir: service.dir, adminUrl })).toBe("");
      await writeFile(path.join(folder, "widgets.prisma"), WIDGET_MODEL);
      expect(await checkDrift({ serviceDir: service.dir, adminUrl })).toContain('CREATE TABLE "widgets"');
    } finally {
      await service.remove();
    }
  });

  it("drops its scratch database, also when the work fails", async () => {
    const exists = async (name: string) =>
      (await query(adminUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [name])).length === 1;
    let name = "";
    await withScratchDatabase(adminUrl, async (scratch) => {
      name = scratch.name;
      expect(await exists(name)).toBe(true);
    });
    expect(await exists(name)).toBe(false);
    await expect(
      withScratchDatabase(adminUrl, async (scratch) => {
        name = scratch.name;
        await query(scratch.url, "SELECT 1"); // a connection still open would not stop the drop (WITH FORCE)
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await exists(name)).toBe(false);
  });
});

describe("platform-db CLI", () => {
  const bin = path.join(__dirname, "..", "bin", "platform-db.js");
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], {
      encoding: "utf8",
      env: { ...process.env, POSTGRES_ADMIN_URL: adminUrl },
    });

  it("migrate:check exits 0 without drift and 1 with the missing SQL on stdout", async () => {
    expect(cli("migrate:check", "--service-dir", fixtureDir).status).toBe(0);
    const service = await copyFixture();
    try {
      await appendFile(path.join(service.dir, "prisma", "schema.prisma"), WIDGET_MODEL);
      const result = cli("migrate:check", "--service-dir", service.dir);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('CREATE TABLE "widgets"');
      expect(result.stderr).toContain("Drift");
    } finally {
      await service.remove();
    }
  });

  it("migrate:new writes the migration folder and lock file", async () => {
    const service = await copyFixture();
    try {
      const migrationsDir = path.join(service.dir, "prisma", "migrations");
      await appendFile(path.join(service.dir, "prisma", "schema.prisma"), WIDGET_MODEL);
      const result = cli("migrate:new", "--service-dir", service.dir, "--name", "add_widgets");
      expect(result.status).toBe(0);
      const folders = (await readdir(migrationsDir)).filter((name) => name.endsWith("_add_widgets"));
      expect(folders).toHaveLength(1);
      expect(existsSync(path.join(migrationsDir, "migration_lock.toml"))).toBe(true);
      expect(cli("migrate:check", "--service-dir", service.dir).status).toBe(0);
    } finally {
      await service.remove();
    }
  });

  it("explains usage errors with exit code 2", () => {
    const result = cli("migrate:new", "--service-dir", fixtureDir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("missing --name");
  });
});
