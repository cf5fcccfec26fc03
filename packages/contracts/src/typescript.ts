import { InvalidInputError } from "@platform/errors";
import type { AvroSchema } from "@platform/messaging";
import type { Contracts, SchemaVersion, SubjectContract, TopicContract } from "./contracts";

/**
 * TypeScript types generated from the .avsc files, so no record is ever written twice by hand.
 * One module per schema version (nested records of different versions never collide); `long`
 * (incl. timestamp-millis) maps to number: the platform keeps longs below 2^53 (schemas/README.md).
 *
 * Each .avsc is self-contained, so `Actor` is declared by every domain record; a named type that
 * every schema declaring it declares identically goes to `shared.ts` once, so services see one
 * `Actor`, not dozens of structurally equal ones. Each domain log also gets a catalog module
 * (`<topic>/index.ts`): its event type names and the latest payload type of each, the one place
 * services take event names and payload types from.
 */
interface Declaration {
  name: string;
  lines: string[];
  /** Named types the declaration refers to: a shared declaration may only refer to shared ones. */
  refs: Set<string>;
}

interface Emitter {
  declarations: Declaration[];
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

const SHARED_MODULE = "shared.ts";
const HEADER = "by `platform-contracts types`; do not edit.";

function shortName(name: string): string {
  return name.split(".").pop() ?? name;
}

function docComment(doc: unknown, indent = ""): string[] {
  return typeof doc === "string" && doc.trim()
    ? [`${indent}/** ${doc.replace(/\*\//g, "* /").replace(/\s+/g, " ").trim()} */`]
    : [];
}

function tsType(type: unknown, out: Emitter, refs: Set<string>): string {
  if (typeof type === "string") {
    const primitive = PRIMITIVES[type];
    if (primitive) return primitive;
    refs.add(shortName(type));
    return shortName(type);
  }
  if (Array.isArray(type)) return type.map((member) => tsType(member, out, refs)).join(" | ");
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
    case "error": {
      const name = emitRecord(t as AvroSchema, out);
      refs.add(name);
      return name;
    }
    case "enum": {
      const name = shortName(t.name ?? "Enum");
      refs.add(name);
      if (!out.emitted.has(name)) {
        out.emitted.add(name);
        out.declarations.push({
          name,
          refs: new Set(),
          lines: [
            ...docComment(t.doc),
            `export type ${name} = ${(t.symbols ?? []).map((s) => JSON.stringify(s)).join(" | ")};`,
            "",
          ],
        });
      }
      return name;
    }
    case "array":
      return `Array<${tsType(t.items, out, refs)}>`;
    case "map":
      return `Record<string, ${tsType(t.values, out, refs)}>`;
    case "fixed":
      return "Buffer";
    default:
      return tsType(t.type, out, refs);
  }
}

function emitRecord(schema: AvroSchema, out: Emitter): string {
  const name = shortName(schema.name);
  if (out.emitted.has(name)) return name;
  out.emitted.add(name);
  const refs = new Set<string>();
  const fields = schema.fields.map((field) => [
    ...docComment(field.doc, "  "),
    `  ${field.name}: ${tsType(field.type, out, refs)};`,
  ]);
  out.declarations.push({
    name,
    refs,
    lines: [...docComment(schema.doc), `export interface ${name} {`, ...fields.flat(), "}", ""],
  });
  return name;
}

function declarationsOf(version: SchemaVersion): Declaration[] {
  const out: Emitter = { declarations: [], emitted: new Set() };
  emitRecord(version.schema, out);
  return out.declarations;
}

interface VersionModule {
  file: string;
  subject: SubjectContract;
  version: SchemaVersion;
  root: string;
  declarations: Declaration[];
}

function versionModules(contracts: Contracts): VersionModule[] {
  return contracts.subjects.flatMap((subject) =>
    subject.versions.map((version) => ({
      file: `${subject.topic}/${shortName(subject.record)}.v${version.version}.ts`,
      subject,
      version,
      root: shortName(subject.record),
      declarations: declarationsOf(version),
    })),
  );
}

/**
 * Named types declared by two or more modules, identically (same fields, same docs) wherever they
 * appear, referring only to other shared types. A record's top-level type is never shared: it is
 * what its version module is for.
 */
function sharedDeclarations(modules: VersionModule[]): Map<string, Declaration> {
  const seen = new Map<string, { text: string; count: number; declaration: Declaration } | null>();
  const roots = new Set(modules.map((module) => module.root));
  for (const module of modules) {
    for (const declaration of module.declarations) {
      const text = declaration.lines.join("\n");
      const entry = seen.get(declaration.name);
      if (entry === null) continue;
      if (entry === undefined) seen.set(declaration.name, { text, count: 1, declaration });
      else if (entry.text !== text) seen.set(declaration.name, null);
      else entry.count += 1;
    }
  }
  const shared = new Map<string, Declaration>();
  for (const [name, entry] of seen)
    if (entry && entry.count > 1 && !roots.has(name)) shared.set(name, entry.declaration);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, declaration] of shared)
      if ([...declaration.refs].some((ref) => !shared.has(ref))) {
        shared.delete(name);
        changed = true;
      }
  }
  return shared;
}

function renderModule(module: VersionModule, shared: Map<string, Declaration>): string {
  const own = module.declarations.filter((declaration) => !shared.has(declaration.name));
  const imported = module.declarations
    .filter((declaration) => shared.has(declaration.name))
    .map((declaration) => declaration.name)
    .sort();
  const imports = imported.length
    ? [
        `import type { ${imported.join(", ")} } from "../shared";`,
        "",
        `export type { ${imported.join(", ")} };`,
        "",
      ]
    : [];
  return [
    `// Generated from ${module.subject.subject} v${module.version.version} ${HEADER}`,
    "",
    ...imports,
    ...own.flatMap((declaration) => declaration.lines),
  ].join("\n");
}

export function renderVersionModule(subject: SubjectContract, version: SchemaVersion): string {
  const root = shortName(subject.record);
  const module = { file: "", subject, version, root, declarations: declarationsOf(version) };
  return renderModule(module, new Map());
}

/** `identity.events` → `Identity`: the prefix of the catalog's exported names. */
export function catalogPrefix(topic: string): string {
  return topic
    .replace(/\.events$/, "")
    .split(/[.\-_]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

function renderTopicCatalog(topic: TopicContract, subjects: SubjectContract[]): string {
  const prefix = catalogPrefix(topic.name);
  const events = subjects
    .map((subject) => ({
      name: shortName(subject.record),
      type: subject.record,
      latest: subject.versions[subject.versions.length - 1]?.version ?? 1,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return [
    `// Generated from schemas/${topic.schemas} ${HEADER}`,
    "",
    ...events.map((event) => `import type { ${event.name} } from "./${event.name}.v${event.latest}";`),
    "",
    "export type {",
    ...events.map((event) => `  ${event.name},`),
    "};",
    "",
    `/** The event types of ${topic.name}: each record's Avro full name, which is also the event-type header. */`,
    `export const ${prefix}Event = {`,
    ...events.map((event) => `  ${event.name}: ${JSON.stringify(event.type)},`),
    "} as const;",
    "",
    `export type ${prefix}EventType = (typeof ${prefix}Event)[keyof typeof ${prefix}Event];`,
    "",
    `/** The payload of each ${topic.name} event type, as its latest version (the reader schema services decode with). */`,
    `export interface ${prefix}Payloads {`,
    ...events.map((event) => `  ${JSON.stringify(event.type)}: ${event.name};`),
    "}",
    "",
  ].join("\n");
}

/**
 * Relative path (under the generated folder) and content of every module: one per version, the
 * shared named types, one catalog per domain log (public streams have a single record type, whose
 * version modules say all there is), and the index the package entry re-exports.
 */
export function renderTypeModules(contracts: Contracts): Map<string, string> {
  const modules = versionModules(contracts);
  const shared = sharedDeclarations(modules);
  const rendered = new Map<string, string>();
  for (const module of modules) rendered.set(module.file, renderModule(module, shared));
  rendered.set(
    SHARED_MODULE,
    [
      `// Named types that several schemas declare identically, generated ${HEADER}`,
      "",
      ...[...shared.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((declaration) => declaration.lines),
    ].join("\n"),
  );
  const exported = new Map<string, string>([...shared.keys()].map((name) => [name, SHARED_MODULE]));
  const catalogs: string[] = [];
  for (const topic of contracts.topics.filter((t) => t.subjectStrategy === "TopicRecordNameStrategy")) {
    const subjects = contracts.subjects.filter((subject) => subject.topic === topic.name);
    const prefix = catalogPrefix(topic.name);
    // The index re-exports every catalog flat; a name two of them export would make it ambiguous.
    for (const name of [
      ...subjects.map((s) => shortName(s.record)),
      `${prefix}Event`,
      `${prefix}EventType`,
      `${prefix}Payloads`,
    ]) {
      const other = exported.get(name);
      if (other)
        throw new InvalidInputError(
          "generated_name_collision",
          `${name} is exported by both ${other} and ${topic.name}'s catalog; give the record a distinct name`,
        );
      exported.set(name, topic.name);
    }
    rendered.set(`${topic.name}/index.ts`, renderTopicCatalog(topic, subjects));
    catalogs.push(topic.name);
  }
  rendered.set(
    "index.ts",
    [
      `// The event catalogs of the domain logs, generated ${HEADER}`,
      "",
      'export * from "./shared";',
      ...catalogs.sort().map((topic) => `export * from "./${topic}";`),
      "",
    ].join("\n"),
  );
  return rendered;
}
