import { Resolver } from "node:dns/promises";
import { UnavailableError } from "@platform/errors";

/** The TXT records at a DNS name, each as the chunks DNS returns (node's `resolveTxt` shape). */
export type TxtResolver = (name: string) => Promise<string[][]>;

/**
 * The production resolver. A private Resolver with a short timeout: the lookup runs inside an HTTP
 * request, and the system default (c-ares retries) can hold it for most of a minute.
 */
export function dnsTxtResolver(options: { timeoutMs?: number; tries?: number } = {}): TxtResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3_000, tries: options.tries ?? 2 });
  return (name) => resolver.resolveTxt(name);
}

/** Names that resolve nowhere: the domain proves nothing about ownership, so it is "unverified", not an outage. */
const NO_RECORD_CODES = new Set(["ENOTFOUND", "ENODATA"]);

/** Every TXT string at the name, chunks joined (DNS splits long values into 255-byte strings). */
export async function txtRecordsAt(dns: TxtResolver, name: string): Promise<string[]> {
  try {
    return (await dns(name)).map((chunks) => chunks.join(""));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && NO_RECORD_CODES.has(code)) return [];
    throw new UnavailableError("dns_unavailable", "DNS did not answer; try verifying again shortly", {
      details: { record_name: name },
      cause: error,
    });
  }
}
