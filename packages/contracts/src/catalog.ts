import type { Contracts, SubjectContract, TopicContract } from "./contracts";

const DAY_MS = 86_400_000;

function retention(topic: TopicContract): string {
  const ms = Number(topic.config["retention.ms"] ?? Number.NaN);
  if (ms === -1) return "forever";
  if (Number.isFinite(ms)) return ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : `${ms} ms`;
  return "broker default";
}

function typeName(type: unknown): string {
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return type.map(typeName).join(" | ");
  if (type && typeof type === "object") {
    const t = type as {
      type?: unknown;
      name?: string;
      items?: unknown;
      values?: unknown;
      logicalType?: string;
    };
    if (t.logicalType) return `${typeName(t.type)} (${t.logicalType})`;
    if (t.type === "array") return `array<${typeName(t.items)}>`;
    if (t.type === "map") return `map<${typeName(t.values)}>`;
    if (t.name) return `${String(t.type)} ${t.name}`;
    return typeName(t.type);
  }
  return String(type);
}

function cell(text: string | undefined): string {
  return (text ?? "").replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
}

function fieldsTable(subject: SubjectContract): string[] {
  const latest = subject.versions[subject.versions.length - 1];
  if (!latest) return [];
  const since = (name: string) =>
    subject.versions.find((version) => version.schema.fields.some((field) => field.name === name))?.version ??
    1;
  return [
    "| field | type | since | doc |",
    "| --- | --- | --- | --- |",
    ...latest.schema.fields.map(
      (field) =>
        `| \`${field.name}\` | ${cell(typeName(field.type))} | v${since(field.name)} | ${cell(field.doc)} |`,
    ),
  ];
}

/** docs/topics.md, generated from schemas/: never edited by hand (a test fails when it is stale). */
export function renderCatalog(contracts: Contracts): string {
  const lines = [
    "# Topic catalog",
    "",
    "Generated from `schemas/topics.json` and the `.avsc` files by `platform-contracts catalog`; do not edit.",
    "Wire format: Confluent (magic byte 0, 4-byte schema id, Avro binary). Registry:",
    "`SCHEMA_REGISTRY_URL` (Confluent-compatible API). Headers on every message: see docs/architecture.md.",
    "",
  ];
  for (const topic of contracts.topics) {
    const subjects = contracts.subjects.filter((subject) => subject.topic === topic.name);
    lines.push(
      `## \`${topic.name}\``,
      "",
      topic.description,
      "",
      "| owner | key | partitions | retention | compatibility | subject naming |",
      "| --- | --- | --- | --- | --- | --- |",
      `| ${topic.owner} | \`${topic.key}\` | ${topic.partitions} | ${retention(topic)} | ${topic.compatibility} | ${topic.subjectStrategy} |`,
      "",
    );
    for (const subject of subjects) {
      lines.push(
        `### Subject \`${subject.subject}\` — \`${subject.record}\`, versions ${subject.versions.map((v) => `v${v.version}`).join(", ")}`,
        "",
        ...fieldsTable(subject),
        "",
      );
    }
  }
  return lines.join("\n");
}
