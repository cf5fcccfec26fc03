import { ScimError } from "./errors";
import { resourceLocation, resourceMeta, type ScimMeta } from "./meta";
import { GROUP_SCHEMA, isJsonObject, ScimSchemaUrns } from "./schemas";
import { checkSchemasMember, coerceResourceBody } from "./values";

export interface ScimGroupMember {
  value: string;
  display: string | null;
}

export interface ScimGroupRecord {
  id: string;
  displayName: string;
  externalId: string | null;
  members: ScimGroupMember[];
  created: Date;
  lastModified: Date;
  version: number;
}

export type ScimGroupInput = Pick<ScimGroupRecord, "displayName" | "externalId" | "members">;

export interface ScimGroupResource {
  schemas: [typeof ScimSchemaUrns.group];
  id: string;
  externalId?: string;
  displayName: string;
  members: { value: string; display?: string }[];
  meta: ScimMeta;
}

export const GROUP_DISPLAY_NAME_MAX_LENGTH = 256;

export function toScimGroup(record: ScimGroupRecord, baseUrl: string): ScimGroupResource {
  return {
    schemas: [ScimSchemaUrns.group],
    id: record.id,
    ...(record.externalId === null ? {} : { externalId: record.externalId }),
    displayName: record.displayName,
    members: record.members.map((member) => ({
      value: member.value,
      ...(member.display === null ? {} : { display: member.display }),
    })),
    meta: resourceMeta("Group", record, resourceLocation(baseUrl, GROUP_SCHEMA, record.id)),
  };
}

/** Validates a POST or PUT /Groups body. A PUT replaces every writable attribute, so absent means unset. */
export function parseGroupInput(body: unknown): ScimGroupInput {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax("the request body must be a JSON object");
  checkSchemasMember(body, ScimSchemaUrns.group, "a Group");
  return groupInputFromDocument(coerceResourceBody(GROUP_SCHEMA, body));
}

export function groupDocument(record: ScimGroupRecord): Record<string, unknown> {
  return {
    displayName: record.displayName,
    externalId: record.externalId,
    members: record.members.map((member) => ({ ...member })),
  };
}

export function groupInputFromDocument(document: Record<string, unknown>): ScimGroupInput {
  const displayName = document.displayName;
  if (typeof displayName !== "string" || displayName.trim() === "") {
    throw ScimError.invalidValue("displayName is required and must be a non-empty string");
  }
  if (displayName.length > GROUP_DISPLAY_NAME_MAX_LENGTH) {
    throw ScimError.invalidValue(`displayName must be at most ${GROUP_DISPLAY_NAME_MAX_LENGTH} characters`);
  }
  return {
    displayName,
    externalId: typeof document.externalId === "string" ? document.externalId : null,
    members: membersFromDocument(document.members),
  };
}

function membersFromDocument(raw: unknown): ScimGroupMember[] {
  const elements = Array.isArray(raw) ? raw : [];
  const byValue = new Map<string, ScimGroupMember>();
  elements.forEach((element: unknown, index) => {
    const member = isJsonObject(element) ? element : {};
    const value = member.value;
    if (typeof value !== "string" || value.trim() === "") {
      throw ScimError.invalidValue(`members[${index}].value is required`);
    }
    // A member listed twice is one membership; clients resending a member must not fail.
    byValue.set(value, { value, display: typeof member.display === "string" ? member.display : null });
  });
  return [...byValue.values()];
}
