import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { InvalidInputError } from "@platform/errors";

/** A random secret with a readable prefix (`ik_`, `rt_`, ...), 256 bits of entropy, URL-safe. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString("hex")}`;
}

/**
 * Tokens and keys are 256-bit random, so a fast hash is safe to store and lets us look them up by
 * hash in O(1); passwords are low-entropy and get scrypt instead.
 */
export function sha256(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

// OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MiB per hash, too much for two vCPUs under a
// sign-in burst; N=2^15 keeps ~100 ms per hash here and is encoded in each hash so it can be raised.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, so parameters can change without invalidating stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength, maxmem } = SCRYPT;
  const key = await scryptAsync(password, salt, keyLength, { N, r, p, maxmem });
  return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await scryptAsync(password, Buffer.from(salt, "base64url"), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;
/** A hash to compare against when the person does not exist, so timing does not reveal who has an account. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(newSecret(""));
  return dummyHash;
}

/** NIST SP 800-63B: length over composition rules, and no well-known passwords. */
export function checkPasswordStrength(password: string, email: string): void {
  const problems: string[] = [];
  if (password.length < 10) problems.push("at least 10 characters");
  if (password.length > 256) problems.push("at most 256 characters");
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || lower.includes(email.split("@")[0]?.toLowerCase() || "\u0000"))
    problems.push("not a common password and not your e-mail address");
  if (new Set(password).size < 4) problems.push("more than three distinct characters");
  if (problems.length > 0)
    throw new InvalidInputError("password_weak", `password must have ${problems.join(", ")}`, {
      details: { requirements: problems },
    });
}

const COMMON_PASSWORDS = new Set([
  "password123",
  "password1234",
  "1234567890",
  "12345678910",
  "qwertyuiop",
  "iloveyou123",
  "letmein1234",
  "welcome123",
  "passw0rd123",
  "administrator",
  "changeme123",
]);

const EMAIL =
  /^[^\s@"<>()[\],;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(email: unknown): string {
  if (typeof email !== "string" || email.length > 254 || !EMAIL.test(email.trim()))
    throw new InvalidInputError("email_invalid", "email must be a valid e-mail address", {
      details: { field: "email" },
    });
  return email.trim().toLowerCase();
}
