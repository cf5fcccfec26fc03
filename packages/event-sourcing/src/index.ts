export {
  type BatchEvent,
  type BatchHandler,
  BatchProjector,
  type BatchProjectorOptions,
} from "./batch-projector";
export { EventCatalog, type EventDefinition } from "./event-catalog";
export {
  type AggregateRef,
  type AppendRequest,
  type Clock,
  combineInlineHandlers,
  type EventMetadata,
  EventStore,
  type EventStoreOptions,
  type InlineHandler,
  type InlineHandlers,
  type NewEvent,
  type StoredEvent,
  systemClock,
} from "./event-store";
export {
  type EventHandler,
  handlersFor,
  type ProjectedEvent,
  type ProjectionHandler,
  Projector,
  type ProjectorOptions,
  requireProjected,
  type TypedHandlers,
} from "./projector";
export {
  assertRebuildEqual,
  baseTablesOf,
  classificationGaps,
  formatRebuildProof,
  privilegedUrlOf,
  proveRebuild,
  type ReadModelRebuild,
  type RebuildableService,
  type RebuildProofOptions,
  type RebuildProofReport,
  type RebuildProofRun,
  type RowText,
  rebuildProofMain,
  rebuildService,
  runRebuildProof,
  type ServiceRebuild,
  settled,
  type TableClasses,
  TableClassificationError,
  type TableDifference,
  type UnreplayedColumns,
} from "./rebuild-proof";
export { Relay, type RelayOptions } from "./relay";
export {
  createServiceRuntime,
  type RuntimeConsumer,
  type ServiceDatabase,
  ServiceRuntime,
  type ServiceRuntimeConfig,
  type ServiceRuntimeOptions,
} from "./runtime";
export type { SqlClient, TransactionalDatabase, TransactionOptions } from "./sql";
export { type ActorStamp, appendForTenant, type TenantAppend } from "./tenant-append";
