export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from "./databases";
export { type EdgeTarget, type EdgeWalkOptions, edgeProbes, edgeWalk, fill, WITH_BODY } from "./edge";
export { httpCaller, type TestCall, type TestResponse } from "./http";
export {
  type Infrastructure,
  InfrastructureMissingError,
  infrastructure,
  missingInfrastructure,
} from "./infrastructure";
export { TestClock, uniqueName, waitFor } from "./names";
export {
  type ClosedWritesOptions,
  expectClosedWritesRefused,
  expectRebuiltEqual,
  type RebuildReportLike,
  rowsOf,
  withClient,
} from "./proofs";
export { describeTableProofs, type TableProofOptions } from "./table-proofs";
export { type ClassificationProblems, classificationProblems, tablesOf } from "./tables";
