import { type AccessTokenClaims, generateSigningKey, signAccessToken } from "@platform/auth";
import type { EventStore } from "@platform/event-sourcing";
import { exportJWK, importJWK, type JWK } from "jose";
import { IdentityEvent, SYSTEM_ACTOR } from "../domain/events";
import { appendEvents, type Clock, type Db } from "./context";

type PrivateKey = Parameters<typeof signAccessToken>[0];

export interface TokenIssuer {
  issue(claims: AccessTokenClaims): Promise<{ token: string; expiresIn: number }>;
}

/**
 * The Ed25519 keys access tokens are signed with. The first start creates one and publishes its
 * public half as SigningKeyPublished, so every service can verify tokens without calling identity.
 * Private keys stay in identity's database (a KMS is the production answer; see docs/identity.md).
 */
export class SigningKeys implements TokenIssuer {
  private active?: { kid: string; key: PrivateKey };

  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
  ) {}

  async ensureActiveKey(): Promise<void> {
    const existing = await this.db.signingKey.findFirst({
      where: { retiredAt: null },
      orderBy: { createdAt: "desc" },
    });
    if (existing) {
      this.active = {
        kid: existing.kid,
        key: (await importJWK(existing.privateJwk as JWK, "EdDSA")) as PrivateKey,
      };
      return;
    }
    const { kid, privateKey, publicJwk } = await generateSigningKey();
    const privateJwk = await exportJWK(privateKey);
    await this.db.$transaction(async (tx) => {
      await tx.signingKey.create({
        data: { kid, privateJwk: privateJwk as object, publicJwk: publicJwk as object },
      });
      await appendEvents(
        this.store,
        tx,
        { type: "signing_key", id: kid },
        [
          {
            type: IdentityEvent.SigningKeyPublished,
            data: {
              key_id: kid,
              algorithm: "EdDSA",
              public_key_jwk: JSON.stringify(publicJwk),
              not_before: this.clock.now().getTime(),
              occurred_at: this.clock.now().getTime(),
              actor: SYSTEM_ACTOR,
            },
          },
        ],
        SYSTEM_ACTOR,
        // A key id just generated: its aggregate is new.
        0,
      );
    });
    this.active = { kid, key: privateKey };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = await this.db.signingKey.findMany({
      where: { retiredAt: null },
      orderBy: { createdAt: "asc" },
    });
    return { keys: keys.map((k) => k.publicJwk as JWK) };
  }

  async issue(claims: AccessTokenClaims): Promise<{ token: string; expiresIn: number }> {
    if (!this.active) await this.ensureActiveKey();
    const active = this.active;
    if (!active) throw new Error("no signing key");
    const token = await signAccessToken(active.key, active.kid, claims, {
      ttlSeconds: this.ttlSeconds,
      now: this.clock.now(),
    });
    return { token, expiresIn: this.ttlSeconds };
  }
}
