import { ScimError } from "./errors";
import { resourceLocation, resourceMeta, type ScimMeta } from "./meta";
import { isJsonObject, ScimSchemaUrns, USER_SCHEMA } from "./schemas";
import { checkSchemasMember, coerceResourceBody } from "./values";

export interface ScimName {
  givenName: string | null;
  familyName: string | null;
  formatted: string | null;
}

export interface ScimEmail {
  value: string;
  type: string | null;
  primary: boolean;
}

export interface ScimUserRecord {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  name: ScimName;
  emails: ScimEmail[];
  created: Date;
  lastModified: Date;
  version: number;
}

/** What a client may set on a User: the record minus what the service provider owns. */
export type ScimUserInput = Pick<
  ScimUserRecord,
  "userName" | "externalId" | "active" | "displayName" | "name" | "emails"
>;

export interface ScimUserResource {
  schemas: [typeof ScimSchemaUrns.user];
  id: string;
  externalId?: string;
  userName: string;
  name?: Partial<Record<keyof ScimName, string>>;
  displayName?: string;
  active: boolean;
  emails: { value: string; type?: string; primary: boolean }[];
  meta: ScimMeta;
}

export const USER_NAME_MAX_LENGTH = 256;
const EMAIL_MAX_LENGTH = 254;
// Deliberately loose: the identity provider owns address validity; this only rejects non-addresses.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

export function toScimUser(record: ScimUserRecord, baseUrl: string): ScimUserResource {
  const name = Object.fromEntries(
    Object.entries(record.name).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  return {
    schemas: [ScimSchemaUrns.user],
    id: record.id,
    ...(record.externalId === null ? {} : { externalId: record.externalId }),
    userName: record.userName,
    ...(Object.keys(name).length === 0 ? {} : { name }),
    ...(record.displayName === null ? {} : { displayName: record.displayName }),
    active: record.active,
    emails: record.emails.map((email) => ({
      value: email.value,
      ...(email.type === null ? {} : { type: email.type }),
      primary: email.primary,
    })),
    meta: resourceMeta("User", record, resourceLocation(baseUrl, USER_SCHEMA, record.id)),
  };
}

/** Validates a POST or PUT /Users body. A PUT replaces every writable attribute, so absent means unset. */
export function parseUserInput(body: unknown): ScimUserInput {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax("the request body must be a JSON object");
  checkSchemasMember(body, ScimSchemaUrns.user, "a User");
  return userInputFromDocument(coerceResourceBody(USER_SCHEMA, body), {
    activeWhenAbsent: true,
  });
}

/** The writable attributes of a record as coerced SCIM JSON: what PATCH operations work on. */
export function userDocument(record: ScimUserRecord): Record<string, unknown> {
  return {
    userName: record.userName,
    externalId: record.externalId,
    active: record.active,
    displayName: record.displayName,
    name: { ...record.name },
    emails: record.emails.map((email) => ({ ...email })),
  };
}

/**
 * Checks the rules no attribute definition expresses and builds the typed input. Takes a document
 * already coerced to the declared attribute types.
 */
export function userInputFromDocument(
  document: Record<string, unknown>,
  options: { activeWhenAbsent: boolean },
): ScimUserInput {
  const userName = document.userName;
  if (typeof userName !== "string" || userName.trim() === "") {
    throw ScimError.invalidValue("userName is required and must be a non-empty string");
  }
  if (userName.length > USER_NAME_MAX_LENGTH) {
    throw ScimError.invalidValue(`userName must be at most ${USER_NAME_MAX_LENGTH} characters`);
  }
  const active = document.active;
  if (typeof active !== "boolean" && !options.activeWhenAbsent) {
    throw ScimError.invalidValue("active must be true or false");
  }
  const name = isJsonObject(document.name) ? document.name : {};
  return {
    userName,
    externalId: stringOrNull(document.externalId),
    active: typeof active === "boolean" ? active : true,
    displayName: stringOrNull(document.displayName),
    name: {
      givenName: stringOrNull(name.givenName),
      familyName: stringOrNull(name.familyName),
      formatted: stringOrNull(name.formatted),
    },
    emails: emailsFromDocument(document.emails),
  };
}

function emailsFromDocument(raw: unknown): ScimEmail[] {
  const elements = Array.isArray(raw) ? raw : [];
  const emails = elements.map((element: unknown, index): ScimEmail => {
    const email = isJsonObject(element) ? element : {};
    const value = email.value;
    if (typeof value !== "string" || value === "") {
      throw ScimError.invalidValue(`emails[${index}].value is required`);
    }
    if (value.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(value)) {
      throw ScimError.invalidValue(`emails[${index}].value "${value}" is not an email address`);
    }
    return { value, type: stringOrNull(email.type), primary: email.primary === true };
  });
  if (emails.filter((email) => email.primary).length > 1) {
    throw ScimError.invalidValue("at most one email may be primary (RFC 7643 §2.4)");
  }
  return emails;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
