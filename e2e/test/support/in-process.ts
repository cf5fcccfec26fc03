/**
 * identity and tenancy started in this process by their own test harnesses, on one pair of topics,
 * so a test can follow a flow across both without `platform up` and read everything they log.
 */
import {
  type Harness as IdentityHarness,
  startIdentity,
} from "../../../services/identity/test/support/harness";
import { startTenancy, type Harness as TenancyHarness } from "../../../services/tenancy/test/support/harness";

export interface InProcessPlatform {
  identity: IdentityHarness;
  tenancy: TenancyHarness;
  urls: { identity: string; tenancy: string };
  /** Every line either service logged so far, as written. */
  logs(): string[];
  /** A link from an e-mail, reaching the test server its public URL stands for. */
  reach(link: string): string;
  close(): Promise<void>;
}

const PUBLIC = { identity: "http://identity.test", tenancy: "http://app.test" };

export async function startInProcess(options: { logLevel?: string } = {}): Promise<InProcessPlatform> {
  const lines: string[] = [];
  const logDestination = { write: (line: string) => void lines.push(line) };
  const level = { LOG_LEVEL: options.logLevel ?? "error" };
  const tenancy = await startTenancy(
    { ...level, TENANCY_PUBLIC_URL: PUBLIC.tenancy, IDENTITY_PUBLIC_URL: PUBLIC.identity },
    { logDestination },
  );
  const identity = await startIdentity(
    {
      ...level,
      IDENTITY_PUBLIC_URL: PUBLIC.identity,
      IDENTITY_EVENTS_TOPIC: tenancy.topics.identity,
      TENANCY_EVENTS_TOPIC: tenancy.topics.tenancy,
      BILLING_EVENTS_TOPIC: tenancy.topics.billing,
    },
    { logDestination },
  );
  const urls = { identity: identity.url, tenancy: tenancy.url };
  return {
    identity,
    tenancy,
    urls,
    logs: () => [...lines],
    reach(link) {
      const url = new URL(link);
      const base =
        url.origin === PUBLIC.identity ? urls.identity : url.origin === PUBLIC.tenancy ? urls.tenancy : null;
      if (!base) throw new Error(`a link to ${url.origin}, which no test server stands for`);
      return `${base}${url.pathname}${url.search}`;
    },
    async close() {
      await identity.close();
      await tenancy.close();
    },
  };
}
