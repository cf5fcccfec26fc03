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
export { applyTopicsForTest, publishDomainEvent } from "./testing";
export { renderTypeModules, renderVersionModule } from "./typescript";
