import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@platform/database";
import { InvalidInputError, NotFoundError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { IdentityEvent } from "../domain/events";
import {
  checkPasswordStrength,
  dummyPasswordHash,
  hashPassword,
  newId,
  newSecret,
  normalizeEmail,
  sha256,
  verifyPassword,
} from "../domain/secrets";
import { appendEvents, type Clock, type Db, type RequestOrigin, type Tx } from "./context";
import type { InvitationAcceptance } from "./invitations";
import type { SessionService, TokenPair } from "./sessions";

const VERIFY_EMAIL_TTL_MS = 24 * 3600_000;
const RESET_PASSWORD_TTL_MS = 3600_000;

export interface SignUpInput {
  email: unknown;
  password: unknown;
  givenName?: string | null;
  familyName?: string | null;
  signupSource?: string;
  /** `<invitation_id>.<secret>` from an invitation e-mail: the person joins that organization. */
  invitationToken?: unknown;
}

export interface Throttles {
  /** Failed sign-ins per e-mail address: protects one person's account from guessing. */
  perAccount: RateLimiterAbstract;
  /** Failed sign-ins per client address: protects every account from one guesser. */
  perAddress: RateLimiterAbstract;
}

export class TooManyAttemptsError extends PlatformError {
  constructor(retryAfterSeconds: number) {
    super("rate_limited", "sign_in_throttled", "too many failed sign-ins; try again later", {
      details: { retryAfterSeconds },
    });
  }
}

/** People and their credentials: sign-up, e-mail verification, sign-in, password reset. */
export class PeopleService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly sessions: SessionService,
    private readonly throttles: Throttles,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly invitations: InvitationAcceptance,
  ) {}

  /**
   * Answers an address that already has an account exactly as a new one (the same answer after the
   * same password hashing), and queues an `account_exists` e-mail to its owner instead of creating.
   */
  async signUp(input: SignUpInput, origin: RequestOrigin): Promise<{ userId: string }> {
    const email = normalizeEmail(input.email);
    if (typeof input.password !== "string")
      throw new InvalidInputError("password_weak", "password must be a string", {
        details: { field: "password" },
      });
    checkPasswordStrength(input.password, email);
    const passwordHash = await hashPassword(input.password);
    const userId = newId("usr_");
    const now = this.clock.now();
    const invited = input.invitationToken !== undefined && input.invitationToken !== null;
    try {
      await this.db.$transaction(async (tx) => {
        // For the event's account context only; accept() below checks the invitation itself.
        const invitedTo = invited
          ? await tx.invitation.findUnique({
              where: { id: String(input.invitationToken).split(".")[0] ?? "" },
            })
          : null;
        // The person's row is the projection of UserSignedUp below; only the hash is written here.
        await tx.userPassword.create({ data: { userId, passwordHash, changedAt: now } });
        if (!invited) {
          const token = await this.issueOneTimeToken(tx, userId, "verify_email", VERIFY_EMAIL_TTL_MS);
          await this.queueEmail(tx, email, "verify_email", {
            link: `${this.publicUrl}/v1/email/verify?token=${token}`,
          });
        }
        await appendEvents(
          this.store,
          tx,
          { type: "user", id: userId },
          [
            {
              type: IdentityEvent.UserSignedUp,
              data: {
                account_id: invitedTo?.accountId ?? null,
                user_id: userId,
                email,
                given_name: input.givenName ?? null,
                family_name: input.familyName ?? null,
                display_name: null,
                signup_source: invited ? "invitation" : (input.signupSource ?? "web"),
                // The invitation's secret reached this address, which proves it as well as our own link would.
                email_verified: invited,
                occurred_at: now.getTime(),
                actor: { ...origin.actor, type: "user", id: userId },
              },
            },
          ],
          origin.actor,
          0,
        );
        if (invited) await this.invitations.accept(tx, { userId, email }, input.invitationToken, origin);
      });
    } catch (error) {
      if (!isUniqueViolation(error) || !(await this.db.user.findUnique({ where: { email } }))) throw error;
      // Telling the caller would tell anyone who has an account (OWASP Authentication Cheat Sheet):
      // the owner hears of it by e-mail, and the caller gets an id that names no one.
      await this.db.$transaction((tx) =>
        this.queueEmail(tx, email, "account_exists", {
          sign_in_url: `${this.publicUrl}/v1/sessions`,
          password_reset_url: `${this.publicUrl}/v1/password/forgot`,
        }),
      );
      return { userId: newId("usr_") };
    }
    return { userId };
  }

  async verifyEmail(token: unknown, origin: RequestOrigin): Promise<void> {
    const now = this.clock.now();
    await this.db.$transaction(async (tx) => {
      const row = await this.consumeOneTimeToken(tx, token, "verify_email");
      const user = await tx.user.findUniqueOrThrow({ where: { id: row.userId } });
      await appendEvents(
        this.store,
        tx,
        { type: "user", id: user.id },
        [
          {
            type: IdentityEvent.EmailVerified,
            data: {
              user_id: user.id,
              email: user.email,
              occurred_at: now.getTime(),
              actor: { ...origin.actor, type: "user", id: user.id },
            },
          },
        ],
        origin.actor,
        user.version,
      );
    });
  }

  /**
   * Checks the password in constant time whether or not the person exists, and counts failures
   * per address and per e-mail before looking at the password, so a throttled guesser learns nothing.
   */
  async signIn(
    input: { email: unknown; password: unknown; accountId?: string | null; invitationToken?: unknown },
    origin: RequestOrigin,
  ): Promise<TokenPair> {
    const email = normalizeEmail(input.email);
    const address = origin.actor.ip_address ?? "unknown";
    await this.ensureNotThrottled(email, address);
    const user = await this.db.user.findUnique({ where: { email } });
    // Looked up whether or not the person exists, so both answers take the same queries.
    const stored = await this.db.userPassword.findUnique({ where: { userId: user?.id ?? "" } });
    const password = typeof input.password === "string" ? input.password : "";
    const valid = await verifyPassword(password, stored?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !stored || !valid) {
      await Promise.all([
        this.throttles.perAccount.penalty(email).catch(() => undefined),
        this.throttles.perAddress.penalty(address).catch(() => undefined),
      ]);
      throw new PlatformError(
        "unauthenticated",
        "credentials_invalid",
        "e-mail address or password is wrong",
      );
    }
    await this.throttles.perAccount.delete(email);
    let accountId = input.accountId ?? null;
    if (input.invitationToken !== undefined && input.invitationToken !== null) {
      const joined = await this.db.$transaction((tx) =>
        this.invitations.accept(tx, { userId: user.id, email }, input.invitationToken, origin),
      );
      accountId = joined.accountId;
    }
    return this.sessions.start(user.id, { method: "password", accountId }, origin);
  }

  /** Always answers the same way, so the endpoint cannot be used to find out who has an account. */
  async requestPasswordReset(emailInput: unknown, origin: RequestOrigin): Promise<void> {
    const email = normalizeEmail(emailInput);
    const now = this.clock.now();
    await this.db.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { email } });
      if (!user) return;
      const token = await this.issueOneTimeToken(tx, user.id, "reset_password", RESET_PASSWORD_TTL_MS);
      await this.queueEmail(tx, email, "reset_password", {
        link: `${this.publicUrl}/v1/password/reset?token=${token}`,
      });
      await appendEvents(
        this.store,
        tx,
        { type: "user", id: user.id },
        [
          {
            type: IdentityEvent.PasswordResetRequested,
            data: {
              user_id: user.id,
              email,
              expires_at: now.getTime() + RESET_PASSWORD_TTL_MS,
              occurred_at: now.getTime(),
              actor: origin.actor,
            },
          },
        ],
        origin.actor,
        user.version,
      );
    });
  }

  async resetPassword(input: { token: unknown; password: unknown }, origin: RequestOrigin): Promise<void> {
    if (typeof input.password !== "string")
      throw new InvalidInputError("password_weak", "password must be a string", {
        details: { field: "password" },
      });
    const password = input.password;
    const now = this.clock.now();
    const email = await this.db.$transaction(async (tx) => {
      const row = await this.consumeOneTimeToken(tx, input.token, "reset_password");
      const user = await tx.user.findUniqueOrThrow({ where: { id: row.userId } });
      checkPasswordStrength(password, user.email);
      const passwordHash = await hashPassword(password);
      await tx.userPassword.upsert({
        where: { userId: user.id },
        create: { userId: user.id, passwordHash, changedAt: now },
        update: { passwordHash, changedAt: now },
      });
      // PasswordChanged first, at the version decided on; ending the sessions appends after it. (The
      // reset link proves the address too: the projection marks it verified, src/domain/people.ts.)
      const revoked = await this.sessions.countLive(tx, user.id, null);
      await appendEvents(
        this.store,
        tx,
        { type: "user", id: user.id },
        [
          {
            type: IdentityEvent.PasswordChanged,
            data: {
              user_id: user.id,
              method: "reset",
              sessions_revoked: revoked,
              occurred_at: now.getTime(),
              actor: origin.actor,
            },
          },
        ],
        origin.actor,
        user.version,
      );
      await this.sessions.revokeAllOf(tx, user.id, null, "password_changed", origin);
      return user.email;
    });
    // Whoever holds the reset link owns the address: earlier failed guesses no longer lock them out.
    await this.throttles.perAccount.delete(email);
  }

  /**
   * Whether an e-mailed link can still be completed, without spending it: mail scanners and link
   * previews open links too, so only the POST the link's page makes uses the token.
   */
  async checkLink(token: unknown, purpose: "verify_email" | "reset_password"): Promise<void> {
    const invalid = new NotFoundError("link_invalid", "the link is invalid, used or expired");
    if (typeof token !== "string" || token.length > 200) throw invalid;
    const row = await this.db.oneTimeToken.findUnique({ where: { tokenHash: sha256(token) } });
    if (!row || row.purpose !== purpose || row.usedAt !== null || row.expiresAt <= this.clock.now())
      throw invalid;
  }

  private async ensureNotThrottled(email: string, address: string): Promise<void> {
    const [perAccount, perAddress] = await Promise.all([
      this.throttles.perAccount.get(email),
      this.throttles.perAddress.get(address),
    ]);
    for (const [state, limiter] of [
      [perAccount, this.throttles.perAccount],
      [perAddress, this.throttles.perAddress],
    ] as const) {
      if (state && state.consumedPoints >= limiter.points)
        throw new TooManyAttemptsError(Math.ceil(state.msBeforeNext / 1000));
    }
  }

  private async issueOneTimeToken(tx: Tx, userId: string, purpose: string, ttlMs: number): Promise<string> {
    const token = newSecret("ot_");
    await tx.oneTimeToken.create({
      data: {
        tokenHash: sha256(token),
        purpose,
        userId,
        expiresAt: new Date(this.clock.now().getTime() + ttlMs),
      },
    });
    return token;
  }

  /** Marks the token used under a row lock, so two concurrent uses cannot both succeed. */
  private async consumeOneTimeToken(tx: Tx, token: unknown, purpose: string) {
    const invalid = new InvalidInputError("token_invalid", "the link is invalid, used or expired");
    if (typeof token !== "string" || token.length > 200) throw invalid;
    const used = await tx.oneTimeToken.updateMany({
      where: { tokenHash: sha256(token), purpose, usedAt: null, expiresAt: { gt: this.clock.now() } },
      data: { usedAt: this.clock.now() },
    });
    if (used.count !== 1) throw invalid;
    return tx.oneTimeToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
  }

  private async queueEmail(tx: Tx, recipient: string, template: string, variables: Record<string, string>) {
    await tx.outboundEmail.create({ data: { id: randomUUID(), recipient, template, variables } });
  }
}
