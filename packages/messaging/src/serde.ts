import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { InvalidInputError, UnavailableError } from "@platform/errors";
import { Type } from "avsc";

/** An event or stream record schema, as read from an .avsc file. */
export interface AvroSchema {
  type: "record";
  name: string;
  namespace?: string;
  doc?: string;
  fields: { name: string; type: unknown; default?: unknown; doc?: string }[];
}

/** avsc's typings cannot describe a schema read from JSON; this is the one place that bridges them. */
export function avroTypeOf(schema: AvroSchema): Type {
  return Type.forSchema(schema as Parameters<typeof Type.forSchema>[0]);
}

/** Subject naming of the platform (TopicRecordNameStrategy): one subject per record type and topic. */
export function subjectFor(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}

export function fullNameOf(schema: AvroSchema): string {
  const type = avroTypeOf(schema);
  if (!type.name)
    throw new InvalidInputError("avro_schema_unnamed", "an event schema must be a named record");
  return type.name;
}

export class RecordValidationError extends InvalidInputError {
  constructor(recordName: string, paths: string[]) {
    super(
      "event_payload_invalid",
      `payload does not match ${recordName} at ${paths.join(", ") || "(root)"}`,
      {
        details: { record: recordName, paths },
      },
    );
  }
}

/** Every path at which `value` breaks `type`, for an error that points at the field. */
export function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path) => paths.push(path.join(".")) });
  return paths;
}

/**
 * Confluent wire format (magic byte + schema id + Avro body) over a Confluent-compatible registry.
 * Producers never register schemas: the registration tool does that at deploy time under the
 * subject's compatibility rules, and a producer holding a schema the registry does not know fails.
 */
export class AvroSerde {
  private readonly ids = new Map<string, Promise<number>>();

  constructor(readonly registry: SchemaRegistry) {}

  static connect(registryUrl: string): AvroSerde {
    return new AvroSerde(new SchemaRegistry({ host: registryUrl }));
  }

  /** Registers a schema version under a subject (deploy tooling and tests). */
  async register(subject: string, schema: AvroSchema): Promise<number> {
    const { id } = await this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    return id;
  }

  async encode(subject: string, schema: AvroSchema, value: unknown): Promise<Buffer> {
    const id = await this.schemaId(subject, schema);
    try {
      return await this.registry.encode(id, value);
    } catch {
      throw new RecordValidationError(subject, invalidPaths(avroTypeOf(schema), value));
    }
  }

  /** Decodes with the writer's schema, resolved into `readerSchema` when one is given. */
  async decode(buffer: Buffer, readerSchema?: AvroSchema): Promise<unknown> {
    return readerSchema
      ? this.registry.decode(buffer, { [SchemaType.AVRO]: { readerSchema } })
      : this.registry.decode(buffer);
  }

  /** The registry's id of `schema` under `subject`, looked up once per serde (cached, failures not). */
  schemaId(subject: string, schema: AvroSchema): Promise<number> {
    const cacheKey = `${subject}\u0000${JSON.stringify(schema)}`;
    let id = this.ids.get(cacheKey);
    if (!id) {
      id = this.registry
        .getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: JSON.stringify(schema) })
        .catch((error: unknown) => {
          this.ids.delete(cacheKey);
          throw asRegistryError(subject, error);
        });
      this.ids.set(cacheKey, id);
    }
    return id;
  }
}

function asRegistryError(subject: string, error: unknown): Error {
  // The client turns the registry's 404 into a bare ConfluentSchemaRegistryError (status dropped);
  // the client's HTTP layer reports network failures as status 400, so only 422 means "refused".
  const { status, name } = error as { status?: number; name?: string };
  if (status === 404 || name === "ConfluentSchemaRegistryError") {
    return new InvalidInputError(
      "schema_not_registered",
      `schema is not registered under subject ${subject}`,
      {
        cause: error,
      },
    );
  }
  if (status === 422) {
    return new InvalidInputError("schema_rejected", `schema registry refused the lookup for ${subject}`, {
      cause: error,
    });
  }
  return new UnavailableError("schema_registry_unavailable", `schema registry lookup failed for ${subject}`, {
    cause: error,
  });
}
