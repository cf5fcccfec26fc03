import { InvalidInputError } from "@platform/errors";
import type { Type } from "avsc";
import { type AvroSchema, type AvroSerde, avroTypeOf } from "./serde";

interface Reader {
  read(body: Buffer): unknown;
}

/**
 * Decodes Confluent wire-format records on a hot path: the writer schema is fetched once per schema
 * id and the resolver into each reader schema is built once, where `AvroSerde.decode` (the registry
 * client) parses the reader schema again for every message. Same results, a fraction of the CPU.
 */
export class FastAvroDecoder {
  private readonly readers = new Map<string, Promise<Reader>>();
  private readonly readerTypes = new Map<AvroSchema, { id: number; type: Type }>();

  constructor(private readonly serde: AvroSerde) {}

  async decode(buffer: Buffer, readerSchema?: AvroSchema): Promise<unknown> {
    if (buffer.length < 5 || buffer.readUInt8(0) !== 0)
      throw new InvalidInputError("wire_format_invalid", "value is not in Confluent wire format");
    const schemaId = buffer.readInt32BE(1);
    const reader = await this.readerFor(schemaId, readerSchema);
    return reader.read(buffer.subarray(5));
  }

  private readerFor(schemaId: number, readerSchema: AvroSchema | undefined): Promise<Reader> {
    const target = readerSchema ? this.readerType(readerSchema) : undefined;
    const key = `${schemaId}:${target?.id ?? "writer"}`;
    let reader = this.readers.get(key);
    if (!reader) {
      reader = this.buildReader(schemaId, target?.type);
      reader.catch(() => this.readers.delete(key));
      this.readers.set(key, reader);
    }
    return reader;
  }

  /** Reader schemas are parsed once each, and told apart by identity: two versions may share a name. */
  private readerType(schema: AvroSchema): { id: number; type: Type } {
    let entry = this.readerTypes.get(schema);
    if (!entry) {
      entry = { id: this.readerTypes.size + 1, type: avroTypeOf(schema) };
      this.readerTypes.set(schema, entry);
    }
    return entry;
  }

  private async buildReader(schemaId: number, target: Type | undefined): Promise<Reader> {
    // For Avro the registry client's schema is avsc's Type (its typings name a wider union).
    const writer = (await this.serde.registry.getSchema(schemaId)) as unknown as Type;
    if (!target) return { read: (body) => writer.fromBuffer(body) };
    if (target.equals(writer)) return { read: (body) => target.fromBuffer(body) };
    const resolver = target.createResolver(writer);
    return { read: (body) => target.fromBuffer(body, resolver) };
  }
}
