export { type AppliedSubject, type ApplyOptions, applyContracts } from "./apply";
export { renderCatalog } from "./catalog";
export {
  type Compatibility,
  type Contracts,
  latestSchemasOf,
  loadContracts,
  SCHEMAS_ROOT,
  type SchemaVersion,
  type SubjectContract,
  type TopicContract,
} from "./contracts";
export { goldenSamplePath, readGoldenSample, writeMissingGoldenSamples } from "./golden";
export { RegistryAdmin, SchemaRejectedError } from "./registry-admin";
export { applyTopicsForTest, createTestTopics, publishDomainEvent, testEventPublisher } from "./testing";
// The generated event catalogs and payload types: services import them from here, never from src/types.
export * from "./types";
// usage.ingest is not a domain log (one record type, TopicNameStrategy), so it has no catalog: its record alone.
export type { UsageCorrection, UsageReported } from "./types/usage.ingest/UsageReported.v2";
export { catalogPrefix, renderTypeModules, renderVersionModule } from "./typescript";
