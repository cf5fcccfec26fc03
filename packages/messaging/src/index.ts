export { type DeadLetter, deadLetterTopicFor, publishDeadLetter } from "./dead-letter";
export { type DomainEventEnvelope, domainEventMessage } from "./domain-message";
export {
  type FactProblem,
  FactProducer,
  type FactProducerOptions,
  type FactStream,
  wireFormat,
} from "./facts";
export { FastAvroDecoder } from "./fast-decoder";
export { Headers, headersAsStrings, readHeader } from "./headers";
export { createKafka, createProducer, type KafkaOptions } from "./kafka";
export {
  type AvroSchema,
  AvroSerde,
  avroTypeOf,
  fullNameOf,
  invalidPaths,
  RecordValidationError,
  subjectFor,
} from "./serde";
export { ensureTopics, type TopicSpec } from "./topics";
