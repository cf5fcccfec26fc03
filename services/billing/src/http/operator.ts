import { createHash, timingSafeEqual } from "node:crypto";
import { AuthErrorCodes } from "@platform/auth";
import { PlatformError } from "@platform/errors";
import type { RequestHandler } from "express";

const BEARER = /^Bearer +(\S+) *$/i;
const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * The guard of the platform operator's routes (across every organization): the bearer token must be
 * BILLING_OPERATOR_TOKEN. identity has no platform-level principal yet (its tokens act in one
 * organization, and platform-wide roles are role templates, not operators), so the operator is a
 * configured secret, the simplest credential that cannot be confused with an organization's. Both sides
 * are hashed before the constant-time comparison, so neither the value nor its length leaks through
 * timing. An organization's token, however privileged in its organization, gets 403 `operator_only`.
 */
export function operatorOnly(operatorToken: string | undefined): RequestHandler {
  const expected = operatorToken === undefined ? undefined : digest(operatorToken);
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header === "") {
      next(new PlatformError("unauthenticated", AuthErrorCodes.tokenMissing, "no Authorization header"));
      return;
    }
    const given = BEARER.exec(header)?.[1];
    if (given === undefined) {
      next(
        new PlatformError(
          "unauthenticated",
          AuthErrorCodes.tokenMalformed,
          "the Authorization header is not `Bearer <token>`",
        ),
      );
      return;
    }
    if (expected === undefined || !timingSafeEqual(digest(given), expected)) {
      next(
        new PlatformError(
          "forbidden",
          "operator_only",
          "only the platform operator's token reaches this route",
        ),
      );
      return;
    }
    next();
  };
}
