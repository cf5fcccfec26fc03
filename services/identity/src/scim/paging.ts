import { ScimError } from "./errors";
import { getIgnoringCase, ScimSchemaUrns } from "./schemas";

/** The most resources one list response returns; advertised as filter.maxResults. */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 100;

export interface ScimPaging {
  /** 1-based index of the first result (RFC 7644 §3.4.2.4). */
  startIndex: number;
  count: number;
}

export interface ScimListResponse<T> {
  schemas: [typeof ScimSchemaUrns.listResponse];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: T[];
}

/**
 * Reads startIndex and count from a parsed query string. RFC 7644 §3.4.2.4 asks to read values below 1
 * (startIndex) or below 0 (count) as 1 and 0 rather than reject them; a count above the maximum is
 * clamped because the service provider decides the page size.
 */
export function parsePaging(query: Readonly<Record<string, unknown>>): ScimPaging {
  const startIndex = integerParameter(query, "startIndex");
  const count = integerParameter(query, "count");
  return {
    startIndex: startIndex === undefined ? 1 : Math.max(1, startIndex),
    count: count === undefined ? DEFAULT_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, Math.max(0, count)),
  };
}

const INTEGER = /^[+-]?\d+$/;

function integerParameter(query: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const raw = getIgnoringCase(query, name);
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw !== "string" || !INTEGER.test(raw.trim())) {
    throw ScimError.invalidValue(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  }
  // Clamped so a 30-digit startIndex stays an exact integer the database can take.
  const parsed = Number(raw.trim());
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, parsed));
}

export function listResponse<T>(
  resources: readonly T[],
  page: { startIndex: number; totalResults: number },
): ScimListResponse<T> {
  return {
    schemas: [ScimSchemaUrns.listResponse],
    totalResults: page.totalResults,
    itemsPerPage: resources.length,
    startIndex: page.startIndex,
    Resources: [...resources],
  };
}
