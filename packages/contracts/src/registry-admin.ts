import { ConflictError, InvalidInputError, UnavailableError } from "@platform/errors";
import type { AvroSchema } from "@platform/messaging";
import type { Compatibility } from "./contracts";

/** A schema version the registry refused under the subject's compatibility rules. */
export class SchemaRejectedError extends ConflictError {
  constructor(subject: string, version: number, reason: string) {
    super("schema_incompatible", `registry rejected ${subject} v${version}: ${reason}`, {
      details: { subject, version },
    });
  }
}

/**
 * The few Confluent REST calls deploy tooling needs, spoken directly (the npm client insists on
 * managing compatibility itself, and hides the registry's error bodies).
 */
export class RegistryAdmin {
  constructor(private readonly baseUrl: string) {}

  async setCompatibility(subject: string, compatibility: Compatibility): Promise<void> {
    await this.call("PUT", `/config/${encodeURIComponent(subject)}`, { compatibility });
  }

  async compatibility(subject: string): Promise<string | undefined> {
    const body = (await this.call("GET", `/config/${encodeURIComponent(subject)}`, undefined, [404])) as {
      compatibilityLevel?: string;
    } | null;
    return body?.compatibilityLevel;
  }

  /** Registers (or finds) `schema` under `subject`; the registry answers the same id for a known schema. */
  async register(subject: string, version: number, schema: AvroSchema): Promise<number> {
    const response = await this.request("POST", `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: JSON.stringify(schema),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: number; message?: string };
    if (response.status === 409 || response.status === 422) {
      throw new SchemaRejectedError(subject, version, body.message ?? `HTTP ${response.status}`);
    }
    if (!response.ok || typeof body.id !== "number") {
      throw new UnavailableError(
        "schema_registry_failed",
        `registering ${subject} v${version}: HTTP ${response.status}`,
      );
    }
    return body.id;
  }

  async versions(subject: string): Promise<number[]> {
    const body = await this.call(
      "GET",
      `/subjects/${encodeURIComponent(subject)}/versions`,
      undefined,
      [404],
    );
    return Array.isArray(body) ? (body as number[]) : [];
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    tolerated: number[] = [],
  ): Promise<unknown> {
    const response = await this.request(method, path, body);
    if (tolerated.includes(response.status)) return null;
    if (response.status >= 400 && response.status < 500) {
      throw new InvalidInputError(
        "schema_registry_refused",
        `${method} ${path}: HTTP ${response.status} ${await response.text()}`,
      );
    }
    if (!response.ok)
      throw new UnavailableError("schema_registry_failed", `${method} ${path}: HTTP ${response.status}`);
    return response.json();
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new UnavailableError("schema_registry_unreachable", `${method} ${this.baseUrl}${path} failed`, {
        cause: error,
      });
    }
  }
}
