import type { AvroSchema } from "@platform/messaging";
import type { Contracts, SchemaVersion, SubjectContract } from "./contracts";

/**
 * TypeScript types generated from the .avsc files, so no record is ever written twice by hand.
 * One module per schema version (nested records of different versions never collide); `long`
 * (incl. timestamp-millis) maps to number: the platform keeps longs below 2^53 (schemas/README.md).
 */
interface Emitter {
  declarations: string[];
  emitted: Set<string>;
}

const PRIMITIVES: Record<string, string> = {
  null: "null",
  boolean: "boolean",
  int: "number",
  long: "number",
  float: "number",
  double: "number",
  string: "string",
  bytes: "Buffer",
};

function shortName(name: string): string {
  return name.split(".").pop() ?? name;
}

function docComment(doc: unknown, indent = ""): string[] {
  return typeof doc === "string" && doc.trim()
    ? [`${indent}/** ${doc.replace(/\*\//g, "* /").replace(/\s+/g, " ").trim()} */`]
    : [];
}

function tsType(type: unknown, out: Emitter): string {
  if (typeof type === "string") return PRIMITIVES[type] ?? shortName(type);
  if (Array.isArray(type)) return type.map((member) => tsType(member, out)).join(" | ");
  const t = type as {
    type: unknown;
    name?: string;
    symbols?: string[];
    items?: unknown;
    values?: unknown;
    fields?: AvroSchema["fields"];
    doc?: string;
  };
  switch (t.type) {
    case "record":
    case "error":
      return emitRecord(t as AvroSchema, out);
    case "enum": {
      const name = shortName(t.name ?? "Enum");
      if (!out.emitted.has(name)) {
        out.emitted.add(name);
        out.declarations.push(
          ...docComment(t.doc),
          `export type ${name} = ${(t.symbols ?? []).map((s) => JSON.stringify(s)).join(" | ")};`,
          "",
        );
      }
      return name;
    }
    case "array":
      return `Array<${tsType(t.items, out)}>`;
    case "map":
      return `Record<string, ${tsType(t.values, out)}>`;
    case "fixed":
      return "Buffer";
    default:
      return tsType(t.type, out);
  }
}

function emitRecord(schema: AvroSchema, out: Emitter): string {
  const name = shortName(schema.name);
  if (out.emitted.has(name)) return name;
  out.emitted.add(name);
  const fields = schema.fields.map((field) => [
    ...docComment(field.doc, "  "),
    `  ${field.name}: ${tsType(field.type, out)};`,
  ]);
  out.declarations.push(...docComment(schema.doc), `export interface ${name} {`, ...fields.flat(), "}", "");
  return name;
}

export function renderVersionModule(subject: SubjectContract, version: SchemaVersion): string {
  const out: Emitter = { declarations: [], emitted: new Set() };
  emitRecord(version.schema, out);
  return [
    `// Generated from ${subject.subject} v${version.version} by \`platform-contracts types\`; do not edit.`,
    "",
    ...out.declarations,
  ].join("\n");
}

/** Relative path (under the generated folder) and content of every version's module. */
export function renderTypeModules(contracts: Contracts): Map<string, string> {
  const modules = new Map<string, string>();
  for (const subject of contracts.subjects) {
    for (const version of subject.versions) {
      modules.set(
        `${subject.topic}/${shortName(subject.record)}.v${version.version}.ts`,
        renderVersionModule(subject, version),
      );
    }
  }
  return modules;
}
