import { InvalidInputError } from "@platform/errors";
import type { Type } from "avsc";
import type { Message, Producer } from "kafkajs";
import { Headers } from "./headers";
import { type AvroSchema, type AvroSerde, avroTypeOf, fullNameOf, invalidPaths, subjectFor } from "./serde";

/**
 * A stream of facts: records that happened (an API call, a click) with no aggregate to decide
 * against. Each record names its account (the key, so one account's facts stay in one partition)
 * and carries an idempotency key chosen by whoever observed it, so the projection that applies it
 * can count it once however often it arrives.
 */
export interface FactStream {
  topic: string;
  schema: AvroSchema;
  /** The string field holding the account (tenant) id. */
  accountField: string;
  /** The string field holding the fact's idempotency key, unique within its account. */
  idField: string;
  /**
   * The registry subject of the schema, when the topic is not named by TopicRecordNameStrategy: an
   * ingest topic that outside producers write to holds one record type under `<topic>-value`.
   */
  subject?: string;
}

/** Where one record of a batch breaks its schema: its index in the batch and the field paths. */
export interface FactProblem {
  index: number;
  paths: string[];
}

/** Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the Avro body. */
export function wireFormat(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out.writeUInt8(0, 0);
  out.writeInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

interface PendingSend {
  messages: Message[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface FactProducerOptions {
  producer: Producer;
  serde: AvroSerde;
  stream: FactStream;
  /** Most messages in one produce request; concurrent sends are merged up to this. */
  maxMessagesPerRequest?: number;
}

/**
 * The producer side of a fact stream: validates records against the stream's Avro schema, encodes
 * them in Confluent wire format with the schema id the registry holds (registered at deploy time,
 * never here) and produces them keyed by account id with `acks: -1`. `send` resolves once the
 * broker has acknowledged every record of the call. Calls that arrive while a request is in flight
 * are merged into the next request (group commit), so many small HTTP batches become few produce
 * requests and one slow acknowledgement does not queue one request per caller.
 */
export class FactProducer {
  readonly type: Type;
  readonly typeName: string;
  private readonly subject: string;
  private pending: PendingSend[] = [];
  private inFlight = false;

  constructor(private readonly options: FactProducerOptions) {
    const { schema, topic, accountField, idField } = options.stream;
    this.type = avroTypeOf(schema);
    this.typeName = fullNameOf(schema);
    this.subject = options.stream.subject ?? subjectFor(topic, this.typeName);
    for (const field of [accountField, idField]) {
      if (!schema.fields.some((candidate) => candidate.name === field && candidate.type === "string"))
        throw new InvalidInputError(
          "fact_stream_invalid",
          `${this.typeName} must have a string field ${field}`,
        );
    }
  }

  get topic(): string {
    return this.options.stream.topic;
  }

  /** Every record that breaks the schema, with where; empty when the whole batch is valid. */
  validate(records: readonly unknown[]): FactProblem[] {
    const problems: FactProblem[] = [];
    records.forEach((record, index) => {
      if (this.type.isValid(record)) return;
      problems.push({ index, paths: invalidPaths(this.type, record) });
    });
    return problems;
  }

  /** Encodes and produces `records` (validated first); resolves when the broker acknowledged them all. */
  async send(records: readonly object[]): Promise<void> {
    if (records.length === 0) return;
    const problems = this.validate(records);
    if (problems.length > 0) {
      throw new InvalidInputError(
        "fact_invalid",
        `${problems.length} record(s) do not match ${this.typeName}`,
        {
          details: { record: this.typeName, problems },
        },
      );
    }
    const schemaId = await this.options.serde.schemaId(this.subject, this.options.stream.schema);
    const messages = records.map((record) => this.message(schemaId, record as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ messages, resolve, reject });
      this.pump();
    });
  }

  private message(schemaId: number, record: Record<string, unknown>): Message {
    const { accountField, idField } = this.options.stream;
    const accountId = record[accountField] as string;
    return {
      key: accountId,
      value: wireFormat(schemaId, this.type.toBuffer(record)),
      headers: {
        [Headers.eventId]: record[idField] as string,
        [Headers.eventType]: this.typeName,
        [Headers.tenantId]: accountId,
      },
    };
  }

  /** One produce request at a time, carrying every call queued since the previous one. */
  private pump(): void {
    if (this.inFlight || this.pending.length === 0) return;
    const limit = this.options.maxMessagesPerRequest ?? 5_000;
    const group: PendingSend[] = [];
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0] as PendingSend;
      if (group.length > 0 && count + next.messages.length > limit) break;
      group.push(next);
      count += next.messages.length;
      this.pending.shift();
    }
    this.inFlight = true;
    this.options.producer
      .send({ topic: this.topic, acks: -1, messages: group.flatMap((entry) => entry.messages) })
      .then(
        () => {
          for (const entry of group) entry.resolve();
        },
        (error: unknown) => {
          for (const entry of group) entry.reject(error);
        },
      )
      .finally(() => {
        this.inFlight = false;
        this.pump();
      });
  }
}
