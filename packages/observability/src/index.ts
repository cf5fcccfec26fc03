export {
  extractTraceContext,
  injectTraceHeaders,
  type MessageHeaders,
  withConsumerSpan,
  withProducerSpan,
} from "./kafka";
export { createLogger, type Logger, type LoggerOptions } from "./logger";
export { withSpan } from "./spans";
export { startTelemetry, type Telemetry, type TelemetryOptions } from "./telemetry";
