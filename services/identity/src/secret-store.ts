/**
 * identity's secret store: the tables whose rows cannot come from the log, because what they hold
 * must never enter an event (events are published to every service and kept for ever). Everything
 * else identity keeps is the event store, or a projection of events (inline or async, see
 * src/tables.ts). A test (test/tables.test.ts) fails when a table is none of these.
 *
 * `mixed` marks a table that holds non-secret state beside its secret, written by the commands as a
 * whole until the secret is split into its own table and the rest becomes a projection. None is
 * mixed today: users, api_keys, scim_tokens and sso_connections are split (docs/identity.md, State and
 * secrets); the field stays so that a new mixed table is declared as such, not hidden.
 */
export interface SecretTable {
  /** The secret (or the state derived from secrets) the table holds. */
  holds: string;
  /** Why it cannot be rebuilt from identity.events. */
  why: string;
  /** The non-secret state kept beside the secret, until the table is split. */
  mixed?: string;
}

export const SECRET_STORE: Readonly<Record<string, SecretTable>> = {
  user_passwords: {
    holds: "password_hash (scrypt) of each person who has a password",
    why: "a password hash is a credential; events carry the profile, never the hash (users is the projection)",
  },
  sessions: {
    holds: "refresh_token_hash, rotated on every refresh, with the session it opens",
    why:
      "a session is a credential, whole: its row is what a refresh token is checked against, and rotations are " +
      "not events. Its metadata (person, organization, method, expiry, end) matters only to that check; what " +
      "others need of a session is in the log already (UserSignedIn, AccountSwitched, UserSignedOut, and " +
      "AccessRevoked, whose projection `revocations` ends its tokens), so a projected copy would have no reader",
  },
  retired_refresh_tokens: {
    holds: "hashes of refresh tokens rotated away",
    why: "reuse detection needs the hashes, which never enter events",
  },
  one_time_tokens: {
    holds: "hashes of e-mailed verification and password-reset tokens",
    why: "one-time link tokens are credentials",
  },
  outbound_emails: {
    holds: "e-mails waiting for the mailer, with their one-time links",
    why: "the variables include the link's token in clear",
  },
  api_key_secrets: {
    holds: "secret_hash of each API key, and when the key was last presented (last_used_at)",
    why: "the hash finds the key from the bearer token and never enters ApiKeyCreated; last use is an observation made at every exchange, not a decision, so it is no event (docs/identity.md)",
  },
  scim_token_secrets: {
    holds: "token_hash of each SCIM bearer token",
    why: "the hash finds the directory from the bearer token; it never enters ScimTokenIssued",
  },
  signing_keys: {
    holds: "private_jwk of each access-token signing key",
    why: "only the public half is published (SigningKeyPublished)",
  },
  sso_client_secrets: {
    holds: "client_secret of OIDC connections",
    why: "the OIDC client secret is a credential; SsoConnectionConfigured carries the settings only",
  },
  sso_requests: {
    holds: "PKCE verifiers and nonces of sign-ins started at an IdP",
    why: "they prove the IdP's answer belongs to the request; sign-in attempts are not events",
  },
  seen_assertions: {
    holds: "ids of SAML assertions already used, until they expire",
    why: "replay protection of bearer assertions; they never enter events",
  },
  rate_limits: {
    holds: "sign-in failure counters per address and per account",
    why: "throttling state (rate-limiter-flexible's layout); failures are not events",
  },
};
