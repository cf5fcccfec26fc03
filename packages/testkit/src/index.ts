export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from "./databases";
export { type EdgeTarget, edgeProbes, fill, WITH_BODY } from "./edge";
export {
  type Infrastructure,
  InfrastructureMissingError,
  infrastructure,
  missingInfrastructure,
} from "./infrastructure";
export { TestClock, uniqueName, waitFor } from "./names";
export { type ClassificationProblems, classificationProblems, tablesOf } from "./tables";
