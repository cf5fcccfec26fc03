// The CPU cost of identity's credential work, which bounds sign-ins per core: scrypt hashing and
// verification, and access-token signing (identity) and verification (every service).
// Run: pnpm --filter @platform/identity bench
import {
  generateSigningKey,
  KeyRing,
  RevocationSet,
  RoleCatalog,
  signAccessToken,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
} from "@platform/auth";
import { hashPassword, verifyPassword } from "../src/domain/secrets";

async function timed(label: string, runs: number, work: () => Promise<unknown>): Promise<void> {
  await work(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await work();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(
    `${label.padEnd(32)} ${(ms / runs).toFixed(2).padStart(8)} ms/op ${((runs * 1000) / ms).toFixed(0).padStart(8)} ops/s`,
  );
}

void (async () => {
  const password = "correct horse battery staple";
  const stored = await hashPassword(password);
  await timed("scrypt hash (sign-up, reset)", 20, () => hashPassword(password));
  await timed("scrypt verify (sign-in)", 20, () => verifyPassword(password, stored));

  const key = await generateSigningKey();
  const ring = new KeyRing();
  ring.addJwk(key.kid, key.publicJwk as Record<string, unknown>);
  const verifier = new TokenVerifier(ring, new RoleCatalog(), {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
  });
  const claims = { typ: "user" as const, sub: "usr_1", sid: "ses_1", acct: "org_1", role: "admin" };
  const token = await signAccessToken(key.privateKey, key.kid, claims);
  await timed("access token sign (EdDSA)", 2000, () => signAccessToken(key.privateKey, key.kid, claims));
  await timed("access token verify + permissions", 2000, () => verifier.verify(token));
  // What every other service adds per request for revocation: a look-up in the window's set, here
  // with 100,000 revocations held (far more than an hour of sign-outs and key revocations).
  const heapBefore = process.memoryUsage().heapUsed;
  const revocations = new RevocationSet(3600);
  for (let i = 0; i < 100_000; i++)
    revocations.add({
      scope: "session",
      subjectId: `ses_other_${i}`,
      accountId: null,
      tokensIssuedBefore: Date.now(),
    });
  const guarded = new TokenVerifier(ring, new RoleCatalog(), {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    revocations,
  });
  await timed("verify + 100k revocations held", 2000, () => guarded.verify(token));
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  console.log(`revocation set of 100,000: about ${heapMb.toFixed(0)} MB of heap`);
  console.log(`node ${process.version}, ${process.arch}`);
})();
