import { InvalidInputError, NotFoundError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import * as oidc from "openid-client";
import { z } from "zod";
import { IdentityEvent } from "../domain/events";
import { newId, normalizeEmail } from "../domain/secrets";
import { assertOpen } from "./closed-accounts";
import { appendEvents, type Clock, type Db, type RequestOrigin } from "./context";
import { type Provisioning, personForConnection } from "./provisioning";
import type { SessionService, TokenPair } from "./sessions";

const REQUEST_TTL_MS = 10 * 60_000;

// The JSON column as this file writes it; parsed on the way back, since the database types it as any JSON.
const storedOidcSettings = z.object({
  issuer: z.string(),
  clientId: z.string(),
  domains: z.array(z.string()),
});

export interface OidcConnectionInput {
  name: unknown;
  issuer: unknown;
  clientId: unknown;
  clientSecret: unknown;
  domains?: unknown;
  jitProvisioning?: unknown;
  defaultRole?: unknown;
}

function text(value: unknown, name: string, max = 2048): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > max)
    throw new InvalidInputError("field_invalid", `${name} is required (at most ${max} characters)`, {
      details: { field: name },
    });
  return value.trim();
}

/** Plain http only for a provider on this machine (development and tests). */
function isLoopback(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1";
}

const rejected = (code: string, message: string) => new PlatformError("unauthenticated", code, message);

/**
 * Per-organization OpenID Connect sign-in with openid-client: authorization code flow with PKCE,
 * state and nonce, the ID token verified against the provider's published keys. Provisioning and
 * sessions are the same as SAML's.
 */
export class OidcService {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly provisioning: Provisioning,
  ) {}

  redirectUri(connectionId: string): string {
    return `${this.publicUrl}/v1/sso/oidc/${connectionId}/callback`;
  }

  async configure(
    accountId: string,
    input: OidcConnectionInput,
    origin: RequestOrigin,
  ): Promise<{ connectionId: string; redirectUri: string }> {
    const name = text(input.name, "name", 200);
    const issuerText = text(input.issuer, "issuer");
    let issuer: URL;
    try {
      issuer = new URL(issuerText);
    } catch {
      throw new InvalidInputError("field_invalid", "issuer must be an absolute URL", {
        details: { field: "issuer" },
      });
    }
    if (issuer.protocol !== "https:" && !isLoopback(issuer))
      throw new InvalidInputError("field_invalid", "issuer must use https", { details: { field: "issuer" } });
    const clientId = text(input.clientId, "client_id", 500);
    const clientSecret = text(input.clientSecret, "client_secret", 500);
    const domains = Array.isArray(input.domains)
      ? [...new Set(input.domains.map((d) => String(d).toLowerCase()))]
      : [];
    const jit = input.jitProvisioning === undefined ? true : input.jitProvisioning === true;
    const defaultRole =
      input.defaultRole === undefined ? "member" : text(input.defaultRole, "default_role", 100);
    const connectionId = newId("conn_");
    await this.db.$transaction(async (tx) => {
      // The client secret goes to the secret store; sso_connections is the inline projection of
      // SsoConnectionConfigured.
      await tx.ssoClientSecret.create({ data: { connectionId, clientSecret } });
      await appendEvents(
        this.store,
        tx,
        { type: "sso_connection", id: connectionId, tenantId: accountId },
        [
          {
            type: IdentityEvent.SsoConnectionConfigured,
            data: {
              account_id: accountId,
              connection_id: connectionId,
              protocol: "oidc",
              name,
              idp_entity_id: null,
              idp_sso_url: null,
              idp_certificate_sha256: null,
              issuer: issuerText,
              client_id: clientId,
              domains,
              jit_provisioning: jit,
              default_role: defaultRole,
              enabled: true,
              occurred_at: this.clock.now().getTime(),
              actor: origin.actor,
            },
          },
        ],
        origin.actor,
        0,
      );
    });
    return { connectionId, redirectUri: this.redirectUri(connectionId) };
  }

  /** The provider's authorization URL; state, nonce and the PKCE verifier stay in our database. */
  async start(connectionId: string): Promise<{ redirectUrl: string }> {
    const { config } = await this.connection(connectionId);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.db.ssoRequest.create({
      data: {
        id: state,
        connectionId,
        secrets: { codeVerifier, nonce },
        expiresAt: new Date(this.clock.now().getTime() + REQUEST_TTL_MS),
      },
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(connectionId),
      scope: "openid email profile",
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return { redirectUrl: url.toString() };
  }

  /** The redirect back from the provider: code exchange, ID token checks, provisioning, session. */
  async complete(
    connectionId: string,
    query: Record<string, unknown>,
    origin: RequestOrigin,
  ): Promise<TokenPair> {
    const { connection, config } = await this.connection(connectionId);
    const state = typeof query.state === "string" ? query.state : "";
    const request = state ? await this.db.ssoRequest.findUnique({ where: { id: state } }) : null;
    const deleted = request
      ? await this.db.ssoRequest.deleteMany({
          where: { id: state, connectionId, expiresAt: { gt: this.clock.now() } },
        })
      : { count: 0 };
    if (!request || deleted.count !== 1)
      throw rejected("oidc_unsolicited", "the response does not answer a sign-in we started");
    const secrets = request.secrets as { codeVerifier: string; nonce: string };
    const callback = new URL(this.redirectUri(connectionId));
    for (const [key, value] of Object.entries(query))
      if (typeof value === "string") callback.searchParams.set(key, value);
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw rejected("oidc_rejected", `the provider's answer was refused: ${(error as Error).message}`);
    }
    if (!claims) throw rejected("oidc_rejected", "no ID token");
    const emailClaim = typeof claims.email === "string" ? claims.email : null;
    // An address the provider has not verified proves nothing about who signs in.
    if (!emailClaim || claims.email_verified !== true)
      throw rejected("oidc_email_unverified", "the provider did not assert a verified e-mail address");
    const email = normalizeEmail(emailClaim);
    const claimText = (claim: unknown) => (typeof claim === "string" ? claim : null);
    const userId = await personForConnection(
      this.db,
      this.provisioning,
      connection,
      {
        email,
        givenName: claimText(claims.given_name),
        familyName: claimText(claims.family_name),
        displayName: claimText(claims.name),
        externalId: claims.sub,
      },
      origin,
    );
    return this.sessions.start(userId, { method: "oidc", accountId: connection.accountId }, origin);
  }

  private async connection(connectionId: string) {
    const [connection, clientSecret] = await Promise.all([
      this.db.ssoConnection.findUnique({ where: { id: connectionId } }),
      this.db.ssoClientSecret.findUnique({ where: { connectionId } }),
    ]);
    if (connection?.protocol !== "oidc" || !connection.enabled || !clientSecret)
      throw new NotFoundError("sso_connection_not_found", `SSO connection ${connectionId} does not exist`);
    // Sign-ins start and finish here: neither a session nor a just-in-time person in a closed organization.
    await assertOpen(this.db, connection.accountId);
    const settings = storedOidcSettings.parse(connection.settings);
    const secret = clientSecret.clientSecret;
    let config = this.configurations.get(connectionId);
    if (!config) {
      const issuer = new URL(settings.issuer);
      // openid-client trusts an ID token from the token endpoint on TLS alone (OIDC Core 3.1.3.7
      // allows it); we also verify its signature against the provider's published keys.
      const execute = [oidc.enableNonRepudiationChecks];
      if (isLoopback(issuer) && issuer.protocol === "http:") execute.push(oidc.allowInsecureRequests);
      config = oidc.discovery(issuer, settings.clientId, secret, undefined, { execute });
      // A failed discovery is not cached: the provider may be back on the next try.
      config.catch(() => this.configurations.delete(connectionId));
      this.configurations.set(connectionId, config);
    }
    try {
      return { connection, settings, config: await config };
    } catch (error) {
      throw new PlatformError(
        "unavailable",
        "oidc_provider_unavailable",
        `the provider could not be reached: ${(error as Error).message}`,
      );
    }
  }
}
