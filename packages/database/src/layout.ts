import { existsSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { MigrationsDirectoryError } from "./errors";

/**
 * Where a service keeps its Prisma files: the stock layout, `prisma/schema.prisma` (or a folder of
 * `*.prisma` files, `prisma/schema/`) and `prisma/migrations/`, next to `prisma.config.ts`.
 */
export interface ServiceLayout {
  serviceDir: string;
  /** schema.prisma, or the folder holding a multi-file schema. */
  schemaPath: string;
  migrationsDir: string;
}

export interface LayoutOverrides {
  schemaPath?: string;
  migrationsDir?: string;
}

export function resolveServiceLayout(serviceDir: string, overrides: LayoutOverrides = {}): ServiceLayout {
  const dir = path.resolve(serviceDir);
  let schemaPath = overrides.schemaPath ? path.resolve(dir, overrides.schemaPath) : undefined;
  if (!schemaPath) {
    const file = path.join(dir, "prisma", "schema.prisma");
    const folder = path.join(dir, "prisma", "schema");
    if (existsSync(file)) schemaPath = file;
    else if (existsSync(folder) && statSync(folder).isDirectory()) schemaPath = folder;
    else throw new MigrationsDirectoryError(`no prisma/schema.prisma or prisma/schema/ in ${dir}`);
  }
  const migrationsDir = overrides.migrationsDir
    ? path.resolve(dir, overrides.migrationsDir)
    : path.join(dir, "prisma", "migrations");
  return { serviceDir: dir, schemaPath, migrationsDir };
}

export interface SchemaFile {
  path: string;
  content: string;
}

/** The schema's files: the one file, or every `*.prisma` under the folder (recursively, sorted). */
export async function loadSchemaFiles(schemaPath: string): Promise<SchemaFile[]> {
  if (!existsSync(schemaPath)) throw new MigrationsDirectoryError(`schema not found: ${schemaPath}`);
  if (!statSync(schemaPath).isDirectory()) {
    return [{ path: schemaPath, content: await readFile(schemaPath, "utf8") }];
  }
  const entries = await readdir(schemaPath, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".prisma"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  if (files.length === 0) throw new MigrationsDirectoryError(`no .prisma files in ${schemaPath}`);
  return Promise.all(files.map(async (file) => ({ path: file, content: await readFile(file, "utf8") })));
}
