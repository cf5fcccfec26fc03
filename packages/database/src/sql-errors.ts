import { sqlStateOf } from "@platform/errors";

export { sqlStateOf };

/** 23505: a unique constraint or unique index rejected the row. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlStateOf(error) === "23505";
}

/** 40001 (serialization_failure) or 40P01 (deadlock_detected): retry the whole transaction. */
export function isSerializationFailure(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === "40001" || state === "40P01";
}
