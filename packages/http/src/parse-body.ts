import { InvalidInputError } from "@platform/errors";
import type { z } from "zod";
import { HttpErrorCodes } from "./problem";

export interface FieldError {
  /** Where in the body, e.g. `members.0.email`; empty for the body itself. */
  path: string;
  message: string;
}

/**
 * Validates a request body at the edge (STYLE.md §3) and returns it typed. On failure throws an
 * InvalidInputError `invalid_request_body` (400) whose `errors` detail lists every problem by path.
 */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw new InvalidInputError(HttpErrorCodes.invalidRequestBody, "request body is invalid", {
    details: { errors },
  });
}
