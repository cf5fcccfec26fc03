export { type AppliedSubject, type ApplyOptions, applyContracts } from "./apply";
export {
  type Compatibility,
  type Contracts,
  loadContracts,
  type SchemaVersion,
  type SubjectContract,
  type TopicContract,
} from "./contracts";
export { RegistryAdmin, SchemaRejectedError } from "./registry-admin";
export { goldenSamplePath, readGoldenSample, writeMissingGoldenSamples } from "./golden";
