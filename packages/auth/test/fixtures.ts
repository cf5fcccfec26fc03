import {
  generateSigningKey,
  KeyRing,
  RoleCatalog,
  type SigningKey,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
  type TokenVerifierOptions,
} from "../src";

export const NOW = new Date("2030-01-01T12:00:00Z");

export interface Setup {
  key: SigningKey;
  ring: KeyRing;
  catalog: RoleCatalog;
  verifier: TokenVerifier;
}

export async function setup(options: Partial<TokenVerifierOptions> = {}): Promise<Setup> {
  const key = await generateSigningKey();
  const ring = new KeyRing();
  ring.addJwk(key.kid, JSON.stringify(key.publicJwk), NOW.getTime() - 86_400_000);
  const catalog = new RoleCatalog();
  const verifier = new TokenVerifier(ring, catalog, {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    now: () => NOW,
    ...options,
  });
  return { key, ring, catalog, verifier };
}

export function b64url(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

export function unauthenticated(code: string) {
  return expect.objectContaining({ kind: "unauthenticated", code });
}
