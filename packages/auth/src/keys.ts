import { createPublicKey, type KeyObject } from "node:crypto";
import { InvalidInputError } from "@platform/errors";
import { AuthErrorCodes } from "./codes";
import { TOKEN_ALGORITHM } from "./tokens";

/** The SigningKeyPublished event's payload, as far as this package reads it. */
export interface SigningKeyPublishedPayload {
  key_id: string;
  algorithm: string;
  /** The public key as a JWK, in JSON text. */
  public_key_jwk: string;
  /** ms since epoch. */
  not_before: number;
}

export interface SigningKeyRetiredPayload {
  key_id: string;
}

export const SIGNING_KEY_PUBLISHED = "SigningKeyPublished";
export const SIGNING_KEY_RETIRED = "SigningKeyRetired";

export interface VerificationKey {
  kid: string;
  key: KeyObject;
  /** Tokens issued (iat) before this instant are not accepted with this key; null when unknown (config). */
  notBefore: Date | null;
}

/**
 * The public keys that verify access tokens, by kid. Several are live at once during a rotation: identity
 * publishes the next key before signing with it, and retires the old one only after its last tokens expired.
 */
export class KeyRing {
  private readonly keys = new Map<string, VerificationKey>();
  // A retired kid stays retired: a replayed or duplicated SigningKeyPublished must not bring it back.
  private readonly retired = new Set<string>();

  /**
   * Adds (or replaces) a key. `jwk` is a public Ed25519 JWK, as an object or JSON text. Returns false, and
   * changes nothing, when the kid was retired before.
   */
  addJwk(
    kid: string,
    jwk: string | Record<string, unknown>,
    notBefore: number | Date | null = null,
  ): boolean {
    assertKid(kid);
    const key = publicKeyFromJwk(kid, jwk);
    if (this.retired.has(kid)) return false;
    this.keys.set(kid, {
      kid,
      key,
      notBefore: notBefore === null ? null : new Date(notBefore),
    });
    return true;
  }

  retire(kid: string): void {
    assertKid(kid);
    this.keys.delete(kid);
    this.retired.add(kid);
  }

  get(kid: string): VerificationKey | undefined {
    return this.keys.get(kid);
  }

  isRetired(kid: string): boolean {
    return this.retired.has(kid);
  }

  kids(): string[] {
    return [...this.keys.keys()];
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * Applies one identity.events event. Returns false for event types that are not about signing keys, so a
   * consumer can hand every event of the topic here. A malformed key event throws InvalidInputError: it
   * fails the same way on every retry, so the consumer dead-letters it.
   */
  applySigningKeyEvent(type: string, payload: unknown): boolean {
    if (type === SIGNING_KEY_PUBLISHED) {
      const event = asRecord(payload);
      if (event.algorithm !== TOKEN_ALGORITHM) {
        throw new InvalidInputError(
          AuthErrorCodes.unsupportedKeyAlgorithm,
          `signing key ${String(event.key_id)} uses ${String(event.algorithm)}; only ${TOKEN_ALGORITHM} is accepted`,
          { details: { keyId: event.key_id, algorithm: event.algorithm } },
        );
      }
      if (typeof event.public_key_jwk !== "string") throw invalidKey("public_key_jwk must be JSON text");
      if (typeof event.not_before !== "number" || !Number.isFinite(event.not_before)) {
        throw invalidKey("not_before must be a timestamp in ms");
      }
      this.addJwk(event.key_id as string, event.public_key_jwk, event.not_before);
      return true;
    }
    if (type === SIGNING_KEY_RETIRED) {
      this.retire(asRecord(payload).key_id as string);
      return true;
    }
    return false;
  }

  /**
   * A ring from configuration (AUTH_PUBLIC_KEYS): a JSON array of public JWKs, each with its `kid`; a JWKS
   * document (`{"keys": [...]}`) is accepted too, so identity's published set can be pasted as is.
   */
  static fromConfig(json: string): KeyRing {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new InvalidInputError(AuthErrorCodes.invalidPublicKeysConfig, "public keys config is not JSON", {
        cause: error,
      });
    }
    const list =
      typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
        ? (parsed as { keys?: unknown }).keys
        : parsed;
    if (!Array.isArray(list) || list.length === 0) {
      throw new InvalidInputError(
        AuthErrorCodes.invalidPublicKeysConfig,
        "public keys config must be a non-empty JSON array of JWKs",
      );
    }
    const ring = new KeyRing();
    for (const entry of list) {
      const jwk = asRecord(entry);
      if (typeof jwk.kid !== "string") {
        throw new InvalidInputError(
          AuthErrorCodes.invalidPublicKeysConfig,
          "every configured JWK needs a kid",
        );
      }
      ring.addJwk(jwk.kid, jwk);
    }
    return ring;
  }
}

function publicKeyFromJwk(kid: string, input: string | Record<string, unknown>): KeyObject {
  let jwk: Record<string, unknown>;
  if (typeof input === "string") {
    try {
      jwk = asRecord(JSON.parse(input));
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      throw invalidKey(`key ${kid} is not JSON`, error);
    }
  } else {
    jwk = asRecord(input);
  }
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
    throw invalidKey(`key ${kid} is not an Ed25519 public JWK (kty OKP, crv Ed25519)`);
  }
  // Private material in a published key means identity leaked its signing key; refuse loudly.
  if ("d" in jwk) throw invalidKey(`key ${kid} contains private key material`);
  if (jwk.alg !== undefined && jwk.alg !== TOKEN_ALGORITHM) {
    throw invalidKey(`key ${kid} is for ${String(jwk.alg)}, not ${TOKEN_ALGORITHM}`);
  }
  if (jwk.use !== undefined && jwk.use !== "sig") throw invalidKey(`key ${kid} is not a signature key`);
  if (jwk.kid !== undefined && jwk.kid !== kid) {
    throw invalidKey(`JWK kid ${String(jwk.kid)} does not match key id ${kid}`);
  }
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
  } catch (error) {
    throw invalidKey(`key ${kid} has an invalid public value`, error);
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidKey("expected a JSON object");
  }
  return value as Record<string, unknown>;
}

function assertKid(kid: unknown): asserts kid is string {
  if (typeof kid !== "string" || kid === "") throw invalidKey("key id must be a non-empty string");
}

function invalidKey(message: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(
    AuthErrorCodes.invalidSigningKey,
    message,
    cause === undefined ? {} : { cause },
  );
}
