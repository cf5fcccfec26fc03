import { InvalidInputError } from "@platform/errors";
import {
  type AvroSchema,
  avroTypeOf,
  fullNameOf,
  invalidPaths,
  RecordValidationError,
} from "@platform/messaging";
import type { Type } from "avsc";

export interface EventDefinition {
  /** The Avro record's full name, e.g. `platform.tenancy.OrganizationCreated`; also the event-type header. */
  type: string;
  schema: AvroSchema;
  avroType: Type;
  /** Top-level field names of the record. */
  fields: ReadonlySet<string>;
}

/** The event types a service writes or reads, each with the Avro schema its payload must satisfy. */
export class EventCatalog {
  private readonly definitions = new Map<string, EventDefinition>();

  constructor(schemas: AvroSchema[]) {
    for (const schema of schemas) {
      const type = fullNameOf(schema);
      if (this.definitions.has(type))
        throw new InvalidInputError("event_type_duplicated", `${type} is defined twice`);
      const fields = new Set(
        (schema as { fields?: { name: string }[] }).fields?.map((field) => field.name) ?? [],
      );
      this.definitions.set(type, { type, schema, avroType: avroTypeOf(schema), fields });
    }
  }

  get types(): string[] {
    return [...this.definitions.keys()];
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  get(type: string): EventDefinition {
    const definition = this.definitions.get(type);
    if (!definition)
      throw new InvalidInputError("event_type_unknown", `event type ${type} is not in the catalog`);
    return definition;
  }

  hasField(type: string, field: string): boolean {
    return this.get(type).fields.has(field);
  }

  /** Rejects a payload the relay could not encode, at append time, inside the command's transaction. */
  validate(type: string, data: unknown): void {
    const { avroType } = this.get(type);
    if (!avroType.isValid(data)) throw new RecordValidationError(type, invalidPaths(avroType, data));
  }
}
