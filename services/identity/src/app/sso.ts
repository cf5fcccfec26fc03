import { createHash, X509Certificate } from "node:crypto";
import { isUniqueViolation } from "@platform/database";
import { InvalidInputError, NotFoundError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { z } from "zod";
import { IdentityEvent } from "../domain/events";
import { newId, normalizeEmail } from "../domain/secrets";
import { createAuthnRequest, type SamlConnectionSettings, validateSamlResponse } from "../sso/saml";
import { assertOpen } from "./closed-accounts";
import { appendEvents, type Clock, type Db, type RequestOrigin } from "./context";
import { type Provisioning, personForConnection } from "./provisioning";
import type { SessionService, TokenPair } from "./sessions";

const SSO_REQUEST_TTL_MS = 10 * 60_000;

export interface SamlConnectionInput {
  name: unknown;
  idpEntityId: unknown;
  idpSsoUrl: unknown;
  idpCertificate: unknown;
  domains?: unknown;
  jitProvisioning?: unknown;
  defaultRole?: unknown;
}

// The JSON column as this file writes it; parsed on the way back, since the database types it as any JSON.
const storedSamlSettings = z.object({
  idpEntityId: z.string(),
  idpSsoUrl: z.string(),
  idpCertificatePem: z.string(),
  domains: z.array(z.string()),
});

function field(value: unknown, name: string, max = 2048): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > max)
    throw new InvalidInputError("field_invalid", `${name} is required (at most ${max} characters)`, {
      details: { field: name },
    });
  return value.trim();
}

function httpsUrl(value: unknown, name: string): string {
  const text = field(value, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError("field_invalid", `${name} must be an absolute URL`, {
      details: { field: name },
    });
  }
  if (url.protocol !== "https:" && url.hostname !== "localhost" && url.hostname !== "127.0.0.1")
    throw new InvalidInputError("field_invalid", `${name} must use https`, { details: { field: name } });
  return text;
}

function certificateFingerprint(pem: unknown): { pem: string; sha256: string } {
  const text = field(pem, "idp_certificate", 16_384);
  try {
    const certificate = new X509Certificate(text);
    return { pem: text, sha256: createHash("sha256").update(certificate.raw).digest("hex") };
  } catch {
    throw new InvalidInputError("certificate_invalid", "idp_certificate must be one PEM X.509 certificate", {
      details: { field: "idp_certificate" },
    });
  }
}

/**
 * Per-organization SAML 2.0 single sign-on: connections configured by the organization's admins,
 * SP-initiated sign-in (the request id travels in RelayState and must come back as the signed
 * InResponseTo), and just-in-time provisioning.
 */
export class SsoService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly provisioning: Provisioning,
  ) {}

  spEntityId(connectionId: string): string {
    return `${this.publicUrl}/v1/sso/saml/${connectionId}`;
  }

  acsUrl(connectionId: string): string {
    return `${this.publicUrl}/v1/sso/saml/${connectionId}/acs`;
  }

  async configureSaml(
    accountId: string,
    input: SamlConnectionInput,
    origin: RequestOrigin,
  ): Promise<{ connectionId: string; spEntityId: string; acsUrl: string }> {
    const name = field(input.name, "name", 200);
    const idpEntityId = field(input.idpEntityId, "idp_entity_id");
    const idpSsoUrl = httpsUrl(input.idpSsoUrl, "idp_sso_url");
    const certificate = certificateFingerprint(input.idpCertificate);
    const domains = parseDomains(input.domains);
    const jit = input.jitProvisioning === undefined ? true : input.jitProvisioning === true;
    const defaultRole =
      input.defaultRole === undefined ? "member" : field(input.defaultRole, "default_role", 100);
    const connectionId = newId("conn_");
    // sso_connections is the inline projection of SsoConnectionConfigured, settings and all.
    await this.db.$transaction(async (tx) => {
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
              protocol: "saml",
              name,
              idp_entity_id: idpEntityId,
              idp_sso_url: idpSsoUrl,
              idp_certificate_sha256: certificate.sha256,
              issuer: null,
              client_id: null,
              domains,
              jit_provisioning: jit,
              default_role: defaultRole,
              enabled: true,
              occurred_at: this.clock.now().getTime(),
              actor: origin.actor,
              idp_certificate_pem: certificate.pem,
            },
          },
        ],
        origin.actor,
        0,
      );
    });
    return { connectionId, spEntityId: this.spEntityId(connectionId), acsUrl: this.acsUrl(connectionId) };
  }

  /** Starts an SP-initiated sign-in: the URL to send the browser to. */
  async startSaml(connectionId: string): Promise<{ redirectUrl: string }> {
    const { settings } = await this.samlConnection(connectionId);
    const { url, requestId } = await createAuthnRequest(settings, {});
    await this.db.ssoRequest.create({
      data: {
        id: requestId,
        connectionId,
        expiresAt: new Date(this.clock.now().getTime() + SSO_REQUEST_TTL_MS),
      },
    });
    // RelayState carries our request id to the ACS, where the signed InResponseTo must match it.
    const redirect = new URL(url);
    redirect.searchParams.set("RelayState", requestId);
    return { redirectUrl: redirect.toString() };
  }

  /** The ACS: validates the IdP's answer to our request, provisions just in time, starts a session. */
  async completeSaml(
    connectionId: string,
    form: { SAMLResponse?: unknown; RelayState?: unknown },
    origin: RequestOrigin,
  ): Promise<TokenPair> {
    const { connection, settings } = await this.samlConnection(connectionId);
    if (typeof form.SAMLResponse !== "string")
      throw new PlatformError("unauthenticated", "saml_malformed", "SAMLResponse is missing");
    const expectedRequestId = await this.consumeRequest(connectionId, form.RelayState);
    const assertion = await validateSamlResponse(settings, {
      samlResponse: form.SAMLResponse,
      expectedRequestId,
      now: this.clock.now(),
      replayGuard: (assertionId, expiresAt) => this.firstUseOf(assertionId, expiresAt),
    });
    if (!assertion.email)
      throw new PlatformError(
        "unauthenticated",
        "saml_email_missing",
        "the assertion carries no e-mail address",
      );
    const email = normalizeEmail(assertion.email);
    const userId = await personForConnection(
      this.db,
      this.provisioning,
      connection,
      {
        email,
        givenName: assertion.givenName,
        familyName: assertion.familyName,
        displayName: null,
        externalId: assertion.nameId,
      },
      origin,
    );
    return this.sessions.start(userId, { method: "saml", accountId: connection.accountId }, origin);
  }

  private async samlConnection(connectionId: string) {
    const connection = await this.db.ssoConnection.findUnique({ where: { id: connectionId } });
    if (connection?.protocol !== "saml" || !connection.enabled)
      throw new NotFoundError("sso_connection_not_found", `SSO connection ${connectionId} does not exist`);
    // Sign-ins start and finish here: neither a session nor a just-in-time person in a closed organization.
    await assertOpen(this.db, connection.accountId);
    const stored = storedSamlSettings.parse(connection.settings);
    const settings: SamlConnectionSettings = {
      spEntityId: this.spEntityId(connectionId),
      acsUrl: this.acsUrl(connectionId),
      idpEntityId: stored.idpEntityId,
      idpSsoUrl: stored.idpSsoUrl,
      idpCertificatePem: stored.idpCertificatePem,
    };
    return { connection, settings, domains: stored.domains };
  }

  /** Our request id comes back in RelayState; it is used once and only for the connection that issued it. */
  private async consumeRequest(connectionId: string, relayState: unknown): Promise<string> {
    if (typeof relayState !== "string" || relayState.length > 200)
      throw new PlatformError(
        "unauthenticated",
        "saml_unsolicited",
        "the response does not answer a sign-in we started",
      );
    const deleted = await this.db.ssoRequest.deleteMany({
      where: { id: relayState, connectionId, expiresAt: { gt: this.clock.now() } },
    });
    if (deleted.count !== 1)
      throw new PlatformError(
        "unauthenticated",
        "saml_unsolicited",
        "the response does not answer a sign-in we started",
      );
    return relayState;
  }

  private async firstUseOf(assertionId: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.db.seenAssertion.create({ data: { assertionId, expiresAt } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

function parseDomains(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some((d) => typeof d !== "string" || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(d))
  )
    throw new InvalidInputError("field_invalid", "domains must be a list of domain names", {
      details: { field: "domains" },
    });
  return [...new Set((value as string[]).map((d) => d.toLowerCase()))];
}
