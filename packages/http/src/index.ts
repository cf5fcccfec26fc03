export type { AccessLogOptions } from "./access-log";
export {
  actorOf,
  createHttpApp,
  type HttpAppOptions,
  type ProblemFormat,
  REQUEST_ID_HEADER,
  type RequestActor,
  requestIdOf,
} from "./app";
export { type BatchIntakeOptions, type BatchItemError, batchIntake } from "./batch-intake";
export { HOT_BODY_MAX_BYTES, type HotRoute } from "./hot-routes";
export {
  canonicalJson,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEYS_TABLE,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyCodes,
  IdempotencyKeys,
  type IdempotencyOptions,
  idempotent,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from "./idempotency";
export { type MetricsSource, metricsRoute } from "./metrics-route";
export { type FieldError, parseBody } from "./parse-body";
export { HttpErrorCodes, type Problem } from "./problem";
export {
  CONCURRENCY_LIMITED_CODE,
  RATE_LIMITED_CODE,
  type RateLimitPolicy,
  type TenantRateLimiter,
  type TenantRateLimitOptions,
  tenantRateLimit,
} from "./rate-limit";
export type { ReadinessCheck } from "./readiness";
export type { BodyRule } from "./request-checks";
export { param, type RouteGuards, routeGuards, who } from "./route-guards";
export { type RouteEntry, routesOf, routeTableOf } from "./route-table";
export { type RunnableService, runService } from "./run-service";
export { type Serving, serve } from "./serve";
export {
  type OnShutdownOptions,
  onShutdown,
  runShutdown,
  type ShutdownOptions,
  type ShutdownReport,
  type ShutdownStep,
  type StepOutcome,
} from "./shutdown";
