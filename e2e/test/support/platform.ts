import { waitFor } from "@platform/testkit";

/** Where `platform up` / `platform test` run the services. */
export const identityUrl = process.env.IDENTITY_URL ?? "http://localhost:3001";
export const tenancyUrl = process.env.TENANCY_URL ?? "http://localhost:3002";
export const billingUrl = process.env.BILLING_URL ?? "http://localhost:3003";
export const usageUrl = process.env.USAGE_URL ?? "http://localhost:3004";

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field and assert each one.
  body: any;
  headers: Headers;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const serviceUrls = { identity: identityUrl, tenancy: tenancyUrl, billing: billingUrl, usage: usageUrl };

/** Fails the file at once, with how to start them, unless each named service answers /readyz. */
export async function ensureRunning(...names: (keyof typeof serviceUrls)[]): Promise<void> {
  for (const name of names) {
    const base = serviceUrls[name];
    const ready = await fetch(`${base}/readyz`).catch((error: unknown) => {
      throw new Error(
        `${name} is not running at ${base} (start it with \`bash infra/bin/platform up\`): ${String(error)}`,
      );
    });
    if (ready.status !== 200) throw new Error(`${name} at ${base} is not ready: ${ready.status}`);
  }
}

export const PASSWORD = "correct horse battery staple";

/** A person signed up and signed in at identity (no organization yet). */
export async function signUp(email: string): Promise<{ userId: string; token: string }> {
  const created = await call(identityUrl, "POST", "/v1/users", { body: { email, password: PASSWORD } });
  if (created.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(created.body)}`);
  const session = await call(identityUrl, "POST", "/v1/sessions", { body: { email, password: PASSWORD } });
  return { userId: created.body.user_id, token: session.body.access_token };
}

/**
 * The real path between the two services: tenancy creates the organization (trusting identity's key
 * from identity.events), identity learns the owner membership from tenancy.events, and the person's
 * session switches into the organization. Returns an owner token acting in it.
 */
export async function organizationOf(
  person: { token: string },
  name: string,
  urls: { identity: string; tenancy: string } = { identity: identityUrl, tenancy: tenancyUrl },
): Promise<{ accountId: string; token: string }> {
  const created = await waitFor(
    async () => {
      const res = await call(urls.tenancy, "POST", "/v1/organizations", {
        token: person.token,
        body: { name },
      });
      if (res.status === 401) return undefined; // tenancy has not read identity's signing key yet
      return res;
    },
    { timeoutMs: 60_000, what: "tenancy to trust identity's signing key" },
  );
  if (created.status !== 201) throw new Error(`organization not created: ${JSON.stringify(created.body)}`);
  const accountId = created.body.account_id as string;
  const token = await waitFor(
    async () => {
      const res = await call(urls.identity, "POST", "/v1/sessions/current/account", {
        token: person.token,
        body: { account_id: accountId },
      });
      return res.status === 200 ? (res.body.access_token as string) : undefined;
    },
    { timeoutMs: 60_000, what: "identity to learn the owner from tenancy.events" },
  );
  return { accountId, token };
}

/** An API key minted at identity for the organization, exchanged for its access token. */
export async function apiKeyOf(
  accountId: string,
  token: string,
  scopes: string[],
): Promise<{ id: string; token: string }> {
  const created = await call(identityUrl, "POST", `/v1/organizations/${accountId}/api-keys`, {
    token,
    body: { name: "metering", scopes },
  });
  if (created.status !== 201) throw new Error(`api key: ${created.status} ${JSON.stringify(created.body)}`);
  const exchanged = await call(identityUrl, "POST", "/v1/tokens", {
    body: { grant_type: "api_key", api_key: created.body.key },
  });
  return { id: created.body.id as string, token: exchanged.body.access_token as string };
}

/** A SCIM client as a directory (Okta, Entra) holds it: identity's base URL and the directory's token. */
export function scimClient(identityBase: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<Omit<Answer, "headers">> => {
    const res = await fetch(`${identityBase}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { "content-type": "application/scim+json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}
