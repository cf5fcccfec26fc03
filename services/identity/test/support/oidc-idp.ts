import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface IdTokenOverrides {
  nonce?: string;
  aud?: string;
  iss?: string;
  expiresInSeconds?: number;
  /** Signs with a key the provider does not publish. */
  foreignKey?: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  claims: Record<string, unknown>;
  overrides: IdTokenOverrides;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * A minimal OpenID provider for tests: discovery, JWKS, and the authorization-code flow with PKCE.
 * `authorize` plays the person signing in at the provider and returns the redirect back to us.
 */
export class TestOidcProvider {
  private readonly codes = new Map<string, PendingCode>();
  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly key: KeyPair,
    private readonly publicJwk: JWK,
    private readonly foreign: KeyPair,
    readonly clients: Map<string, string>,
  ) {}

  static async start(clientId: string, clientSecret: string): Promise<TestOidcProvider> {
    const key = await generateKeyPair("RS256", { extractable: true });
    const foreign = await generateKeyPair("RS256");
    const publicJwk = { ...(await exportJWK(key.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    let provider: TestOidcProvider | undefined;
    const server = createServer((req, res) => {
      void provider?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    provider = new TestOidcProvider(
      server,
      issuer,
      key,
      publicJwk,
      foreign,
      new Map([[clientId, clientSecret]]),
    );
    return provider;
  }

  /** The person authenticates at the provider; answers the query string of the redirect back. */
  authorize(
    authorizationUrl: string,
    claims: Record<string, unknown>,
    overrides: IdTokenOverrides = {},
  ): { code: string; state: string; redirectUri: string } {
    const url = new URL(authorizationUrl);
    const params = url.searchParams;
    if (
      url.origin !== this.issuer ||
      params.get("response_type") !== "code" ||
      params.get("code_challenge_method") !== "S256"
    )
      throw new Error(`unexpected authorization request ${authorizationUrl}`);
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, {
      clientId: String(params.get("client_id")),
      redirectUri: String(params.get("redirect_uri")),
      codeChallenge: String(params.get("code_challenge")),
      nonce: String(params.get("nonce")),
      claims,
      overrides,
    });
    return { code, state: String(params.get("state")), redirectUri: String(params.get("redirect_uri")) };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.url === "/.well-known/openid-configuration")
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      });
    if (req.url === "/jwks") return json(200, { keys: [this.publicJwk] });
    if (req.url === "/token" && req.method === "POST") {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      const basic = req.headers.authorization?.startsWith("Basic ")
        ? Buffer.from(req.headers.authorization.slice(6), "base64")
            .toString()
            .split(":")
            .map(decodeURIComponent)
        : null;
      const clientId = basic?.[0] ?? form.get("client_id") ?? "";
      const secret = basic?.[1] ?? form.get("client_secret") ?? "";
      const pending = this.codes.get(form.get("code") ?? "");
      this.codes.delete(form.get("code") ?? "");
      if (this.clients.get(clientId) !== secret) return json(401, { error: "invalid_client" });
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (
        !pending ||
        pending.clientId !== clientId ||
        pending.redirectUri !== form.get("redirect_uri") ||
        pending.codeChallenge !== challenge
      )
        return json(400, { error: "invalid_grant" });
      const now = Math.floor(Date.now() / 1000);
      const { overrides } = pending;
      const idToken = await new SignJWT({ ...pending.claims, nonce: overrides.nonce ?? pending.nonce })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(overrides.iss ?? this.issuer)
        .setAudience(overrides.aud ?? clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + (overrides.expiresInSeconds ?? 300))
        .sign(overrides.foreignKey ? this.foreign.privateKey : this.key.privateKey);
      return json(200, {
        access_token: randomBytes(16).toString("hex"),
        token_type: "Bearer",
        expires_in: 300,
        id_token: idToken,
      });
    }
    json(404, { error: "not_found" });
  }
}
