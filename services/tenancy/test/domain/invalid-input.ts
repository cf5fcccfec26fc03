import { InvalidInputError } from "@platform/errors";

/** The InvalidInputError code `run` throws; fails the test if it throws anything else or nothing. */
export function invalidInputCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.code;
    throw error;
  }
  throw new Error("expected an InvalidInputError, but nothing was thrown");
}

/** The InvalidInputError `run` throws, for assertions on details. */
export function invalidInput(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error("expected an InvalidInputError, but nothing was thrown");
}
