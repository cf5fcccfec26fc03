export { createKafka, createProducer, type KafkaOptions } from "./kafka";
export { AvroSerde, type AvroSchema, avroTypeOf, fullNameOf, invalidPaths, RecordValidationError, subjectFor } from "./serde";
export { ensureTopics, type TopicSpec } from "./topics";
export { type DeadLetter, deadLetterTopicFor, publishDeadLetter } from "./dead-letter";
export { Headers, headersAsStrings, readHeader } from "./headers";
