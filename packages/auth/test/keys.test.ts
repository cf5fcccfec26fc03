import { generateSigningKey, KeyRing } from "../src";

describe("KeyRing", () => {
  it("loads a JSON array or a JWKS document from configuration", async () => {
    const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    expect(
      KeyRing.fromConfig(JSON.stringify([a.publicJwk, b.publicJwk]))
        .kids()
        .sort(),
    ).toEqual([a.kid, b.kid].sort());
    expect(KeyRing.fromConfig(JSON.stringify({ keys: [a.publicJwk] })).kids()).toEqual([a.kid]);
  });

  it.each([
    ["not JSON", "nope"],
    ["an empty list", "[]"],
    ["a JWK without kid", JSON.stringify([{ kty: "OKP", crv: "Ed25519", x: "AAAA" }])],
  ])("refuses configuration that is %s", (_what, json) => {
    expect(() => KeyRing.fromConfig(json)).toThrow(expect.objectContaining({ kind: "invalid_input" }));
  });

  it("refuses keys that are not public Ed25519 signature keys", async () => {
    const key = await generateSigningKey();
    const ring = new KeyRing();
    const cases: Record<string, unknown>[] = [
      { ...key.publicJwk, crv: "X25519" },
      { kty: "EC", crv: "P-256", x: "a", y: "b" },
      { ...key.publicJwk, alg: "ES256" },
      { ...key.publicJwk, use: "enc" },
      { ...key.publicJwk, d: "secret" },
      { ...key.publicJwk, kid: "another" },
      { ...key.publicJwk, x: "AAAA" },
    ];
    for (const jwk of cases) {
      expect(() => ring.addJwk(key.kid, jwk)).toThrow(
        expect.objectContaining({ code: "invalid_signing_key" }),
      );
    }
    expect(() => ring.addJwk(key.kid, "{")).toThrow(expect.objectContaining({ code: "invalid_signing_key" }));
    expect(ring.size).toBe(0);
  });

  it("applies key events, ignores other event types, and refuses algorithms it does not verify", async () => {
    const key = await generateSigningKey();
    const ring = new KeyRing();
    expect(ring.applySigningKeyEvent("RoleDefined", { role: "x" })).toBe(false);
    expect(() =>
      ring.applySigningKeyEvent("SigningKeyPublished", {
        key_id: key.kid,
        algorithm: "ES256",
        public_key_jwk: JSON.stringify(key.publicJwk),
        not_before: 0,
      }),
    ).toThrow(expect.objectContaining({ code: "unsupported_key_algorithm" }));
    expect(() =>
      ring.applySigningKeyEvent("SigningKeyPublished", { key_id: key.kid, algorithm: "EdDSA" }),
    ).toThrow(expect.objectContaining({ code: "invalid_signing_key" }));

    expect(
      ring.applySigningKeyEvent("SigningKeyPublished", {
        key_id: key.kid,
        algorithm: "EdDSA",
        public_key_jwk: JSON.stringify(key.publicJwk),
        not_before: 1_700_000_000_000,
      }),
    ).toBe(true);
    expect(ring.get(key.kid)?.notBefore).toEqual(new Date(1_700_000_000_000));

    expect(ring.applySigningKeyEvent("SigningKeyRetired", { key_id: key.kid })).toBe(true);
    expect(ring.get(key.kid)).toBeUndefined();
    expect(ring.isRetired(key.kid)).toBe(true);
  });
});
