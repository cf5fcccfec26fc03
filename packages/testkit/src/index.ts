export { type Infrastructure, infrastructure, InfrastructureMissingError, missingInfrastructure } from "./infrastructure";
export { uniqueName, waitFor } from "./names";
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from "./databases";
