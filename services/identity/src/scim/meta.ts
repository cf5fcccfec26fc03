import type { ScimResourceSchema, ScimResourceTypeName } from "./schemas";

export interface ScimMeta {
  resourceType: ScimResourceTypeName;
  created: string;
  lastModified: string;
  location: string;
  version: string;
}

/** The SCIM base URL without a trailing slash, so joining paths never yields "//". */
export function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}

export function resourceLocation(baseUrl: string, resource: ScimResourceSchema, id: string): string {
  return `${normalizeBaseUrl(baseUrl)}${resource.endpoint}/${encodeURIComponent(id)}`;
}

/** A weak entity tag: the version counts changes, it is not a hash of the representation's bytes. */
export function versionTag(version: number): string {
  return `W/"${version}"`;
}

export function resourceMeta(
  resourceType: ScimResourceTypeName,
  record: { created: Date; lastModified: Date; version: number },
  location: string,
): ScimMeta {
  return {
    resourceType,
    created: record.created.toISOString(),
    lastModified: record.lastModified.toISOString(),
    location,
    version: versionTag(record.version),
  };
}
