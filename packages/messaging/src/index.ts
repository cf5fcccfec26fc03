export { type DeadLetter, deadLetterTopicFor, publishDeadLetter } from "./dead-letter";
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
