import { type ErrorKind, PlatformError } from "@platform/errors";
import { ScimSchemaUrns } from "./schemas";

/** RFC 7644 §3.12 scimType values this service answers with. */
export type ScimErrorType =
  | "invalidFilter"
  | "invalidPath"
  | "invalidValue"
  | "invalidSyntax"
  | "noTarget"
  | "uniqueness"
  | "mutability"
  | "tooMany";

/**
 * Platform error codes behind each SCIM failure. Public API like every error code (STYLE.md §7):
 * dashboards key on them, so changing one is a migration, not a rename.
 */
export const ScimErrorCodes = {
  invalidFilter: "scim_invalid_filter",
  invalidPath: "scim_invalid_path",
  invalidValue: "scim_invalid_value",
  invalidSyntax: "scim_invalid_syntax",
  noTarget: "scim_no_target",
  uniqueness: "scim_uniqueness",
  mutability: "scim_mutability",
  tooMany: "scim_too_many",
  notFound: "scim_not_found",
} as const;

export type ScimErrorStatus = 400 | 404 | 409;

const KIND_BY_STATUS: Record<ScimErrorStatus, ErrorKind> = {
  400: "invalid_input",
  404: "not_found",
  409: "conflict",
};

/**
 * A failure SCIM clients understand. It is also a PlatformError, so the platform's single
 * classification (HTTP status, retry, dead-letter) treats it like any other input error.
 */
export class ScimError extends PlatformError {
  readonly status: ScimErrorStatus;
  readonly scimType: ScimErrorType | undefined;
  readonly detail: string;

  constructor(status: ScimErrorStatus, scimType: ScimErrorType | undefined, detail: string) {
    super(
      KIND_BY_STATUS[status],
      scimType === undefined ? ScimErrorCodes.notFound : ScimErrorCodes[scimType],
      detail,
    );
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
  }

  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, "invalidFilter", detail);
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError(400, "invalidPath", detail);
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError(400, "invalidValue", detail);
  }
  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, "invalidSyntax", detail);
  }
  static noTarget(detail: string): ScimError {
    return new ScimError(400, "noTarget", detail);
  }
  static mutability(detail: string): ScimError {
    return new ScimError(400, "mutability", detail);
  }
  static tooMany(detail: string): ScimError {
    return new ScimError(400, "tooMany", detail);
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError(409, "uniqueness", detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, undefined, detail);
  }
}

export interface ScimErrorBody {
  schemas: [typeof ScimSchemaUrns.error];
  status: string;
  scimType?: ScimErrorType;
  detail: string;
}

export function scimErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [ScimSchemaUrns.error],
    // RFC 7644 §3.12 defines status as a JSON string, not a number.
    status: String(error.status),
    ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
    detail: error.detail,
  };
}

/** Adds where a failure happened (e.g. which PATCH operation) without losing its scimType. */
export function withDetailPrefix(error: unknown, prefix: string): unknown {
  if (!(error instanceof ScimError)) return error;
  return new ScimError(error.status, error.scimType, `${prefix}: ${error.detail}`);
}

/** Platform conflict codes that mean "this already exists" to a directory. */
const UNIQUENESS_CONFLICTS: ReadonlySet<string> = new Set(["user_exists_outside_domain"]);

/**
 * The scimType of a platform conflict that is not a ScimError: an existing person or name is
 * `uniqueness`; any other clash with the current state (a concurrent write, a closed organization)
 * is `mutability`, RFC 7644's "not compatible with ... current state".
 */
export function scimTypeOfConflict(error: PlatformError): ScimErrorType {
  return UNIQUENESS_CONFLICTS.has(error.code) ? "uniqueness" : "mutability";
}
