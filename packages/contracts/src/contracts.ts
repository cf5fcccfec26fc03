import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "@platform/errors";
import { type AvroSchema, avroTypeOf, subjectFor } from "@platform/messaging";

export type Compatibility =
  | "BACKWARD"
  | "BACKWARD_TRANSITIVE"
  | "FORWARD"
  | "FORWARD_TRANSITIVE"
  | "FULL"
  | "FULL_TRANSITIVE"
  | "NONE";

/** One topic as `schemas/topics.json` declares it. */
export interface TopicContract {
  name: string;
  owner: string;
  description: string;
  /** What the message key is, e.g. `account_id` or `aggregate id`. */
  key: string;
  partitions: number;
  replicationFactor: number;
  /** Kafka topic configs (retention.ms, cleanup.policy, ...). */
  config: Record<string, string>;
  compatibility: Compatibility;
  /**
   * `TopicNameStrategy`: one record type, subject `<topic>-value` (public streams).
   * `TopicRecordNameStrategy`: one subject per record type, `<topic>-<record full name>` (domain logs).
   */
  subjectStrategy: "TopicNameStrategy" | "TopicRecordNameStrategy";
  /** Folder under schemas/ holding `<RecordName>/v<N>.avsc`. */
  schemas: string;
}

export interface SchemaVersion {
  version: number;
  file: string;
  schema: AvroSchema;
}

export interface SubjectContract {
  subject: string;
  topic: string;
  record: string;
  compatibility: Compatibility;
  /** Every released version, oldest first: registered in this order. */
  versions: SchemaVersion[];
}

export interface Contracts {
  topics: TopicContract[];
  subjects: SubjectContract[];
}

const VERSION_FILE = /^v([1-9][0-9]*)\.avsc$/;

function readVersions(folder: string): SchemaVersion[] {
  const versions = readdirSync(folder)
    .map((file) => ({ file, match: VERSION_FILE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      file: join(folder, file),
      schema: JSON.parse(readFileSync(join(folder, file), "utf8")) as AvroSchema,
    }))
    .sort((a, b) => a.version - b.version);
  versions.forEach((entry, index) => {
    if (entry.version !== index + 1) {
      throw new InvalidInputError("schema_versions_gap", `${folder}: versions must be v1..vN without gaps`);
    }
    avroTypeOf(entry.schema); // fails on an invalid schema, naming it
  });
  return versions;
}

/** Reads `schemas/topics.json` and every schema version it points at. */
export function loadContracts(schemasRoot: string): Contracts {
  const declared = JSON.parse(readFileSync(join(schemasRoot, "topics.json"), "utf8")) as {
    topics: TopicContract[];
  };
  const subjects: SubjectContract[] = [];
  for (const topic of declared.topics) {
    const folder = join(schemasRoot, topic.schemas);
    const records = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    if (topic.subjectStrategy === "TopicNameStrategy" && records.length !== 1) {
      throw new InvalidInputError(
        "topic_records_invalid",
        `${topic.name} uses TopicNameStrategy and must have exactly one record folder in ${folder}`,
      );
    }
    for (const record of records) {
      const versions = readVersions(join(folder, record.name));
      const latest = versions[versions.length - 1];
      if (!latest) continue;
      const fullName = avroTypeOf(latest.schema).name ?? record.name;
      subjects.push({
        subject:
          topic.subjectStrategy === "TopicNameStrategy"
            ? `${topic.name}-value`
            : subjectFor(topic.name, fullName),
        topic: topic.name,
        record: fullName,
        compatibility: topic.compatibility,
        versions,
      });
    }
  }
  return { topics: declared.topics, subjects };
}

/** The repository's `schemas/` folder, where every service reads its contracts from. */
export const SCHEMAS_ROOT = join(__dirname, "../../../schemas");

/** The latest version of every record type of one topic, by full name: a service's writer and reader schemas. */
export function latestSchemasOf(contracts: Contracts, topic: string): Record<string, AvroSchema> {
  const schemas: Record<string, AvroSchema> = {};
  for (const subject of contracts.subjects.filter((s) => s.topic === topic)) {
    const latest = subject.versions[subject.versions.length - 1];
    if (latest) schemas[subject.record] = latest.schema;
  }
  if (Object.keys(schemas).length === 0)
    throw new InvalidInputError("topic_unknown", `no schemas are declared for topic ${topic}`);
  return schemas;
}
