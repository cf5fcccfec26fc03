import type { TenancyPayloads } from "@platform/contracts";
import { ConflictError } from "@platform/errors";
import freeEmailDomains from "free-email-domains";
import { getPublicSuffix } from "tldts";
import { type Decided, TenancyEvent } from "./events";

/**
 * The domain aggregate: an e-mail domain an organization claims and proves with a DNS TXT record.
 * Pure rules, no I/O: which names may be claimed, `decide` (a command and the state it read, the DNS
 * answer and the platform-wide claim included, into events) and `evolve` (an event into the
 * `domains` row; null once removed).
 */
export const TXT_RECORD_PREFIX = "_platform-verification";
export const TXT_VALUE_PREFIX = "platform-verification=";

/**
 * Domains whose addresses belong to the public, not to one organization: auto-joining on them would let
 * anyone with a free or throwaway mailbox into the organization. A maintained list (free-email-domains:
 * HubSpot's free-mail domains plus two disposable-address lists, republished as providers come and go)
 * instead of one kept here by hand.
 */
const WEBMAIL: ReadonlySet<string> = new Set(freeEmailDomains);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case LDH labels (punycode for the rest), 1-63 characters, no trailing dot, ≤ 253 in all. */
export function isDomainName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // An all-digit last label is an IPv4 address, not a name anyone publishes TXT records under.
  return labels.every((label) => LABEL.test(label)) && !/^[0-9]+$/.test(labels.at(-1) ?? "");
}

/** Why a well-formed name still cannot belong to one organization, or null when it can. */
export function unclaimableReason(name: string): string | null {
  if (!name.includes(".")) return "a top-level domain cannot be claimed";
  // The whole Public Suffix List, private section included: github.io or vercel.app is shared by many
  // owners just as co.uk is.
  const suffix = getPublicSuffix(name, { allowPrivateDomains: true });
  if (suffix === name) return `${name} is a public suffix shared by many owners`;
  // The name and each parent above its public suffix: mail.yahoo.com is yahoo.com's as much as yahoo.com.
  const labels = name.split(".");
  const ownLabels = labels.length - (suffix ? suffix.split(".").length : 0);
  for (let i = 0; i < ownLabels; i++) {
    const candidate = labels.slice(i).join(".");
    if (WEBMAIL.has(candidate))
      return `${candidate} is a public e-mail provider; its addresses do not belong to one organization`;
  }
  return null;
}

export const txtRecordName = (domain: string) => `${TXT_RECORD_PREFIX}.${domain}`;

type DomainAdded = TenancyPayloads[typeof TenancyEvent.DomainAdded];
type DomainVerified = TenancyPayloads[typeof TenancyEvent.DomainVerified];
type DomainAutoJoinChanged = TenancyPayloads[typeof TenancyEvent.DomainAutoJoinChanged];
type DomainRemoved = TenancyPayloads[typeof TenancyEvent.DomainRemoved];

export interface DomainState {
  id: string;
  accountId: string;
  domain: string;
  /** The value the TXT record must hold (public: it is published in DNS). */
  txtValue: string;
  autoJoin: boolean;
  verifiedAt: Date | null;
  createdAt: Date;
  /** The version of the domain's last event. */
  version: number;
}

/** `claimedBy`: the organization whose verified claim on the name the command read, null when none. */
export type DomainCommand =
  | {
      kind: "add";
      id: string;
      domain: string;
      txtValue: string;
      autoJoin: boolean;
      accountId: string;
      claimedBy: string | null;
    }
  | { kind: "verify"; txtRecords: readonly string[]; claimedBy: string | null }
  | { kind: "setAutoJoin"; autoJoin: boolean }
  | { kind: "remove" };

export type DomainEvent =
  | { type: typeof TenancyEvent.DomainAdded; data: Decided<DomainAdded> }
  | { type: typeof TenancyEvent.DomainVerified; data: Decided<DomainVerified> }
  | { type: typeof TenancyEvent.DomainAutoJoinChanged; data: Decided<DomainAutoJoinChanged> }
  | { type: typeof TenancyEvent.DomainRemoved; data: Decided<DomainRemoved> };

export const domainTaken = (domain: string) =>
  new ConflictError("domain_taken", `${domain} is verified by another organization`);

function unverified(state: DomainState, message: string, details: Record<string, unknown> = {}) {
  return new ConflictError("domain_unverified", message, {
    details: { record_name: txtRecordName(state.domain), record_value: state.txtValue, ...details },
  });
}

/** The events a command implies on the domain as read (null: not added yet). */
export function decide(state: DomainState | null, command: DomainCommand): DomainEvent[] {
  if (command.kind === "add") {
    if (state)
      throw new ConflictError("domain_exists", `${command.domain} is already added to this organization`);
    if (command.claimedBy && command.claimedBy !== command.accountId) throw domainTaken(command.domain);
    return [
      {
        type: TenancyEvent.DomainAdded,
        data: {
          domain_id: command.id,
          domain: command.domain,
          auto_join: command.autoJoin,
          txt_record_name: txtRecordName(command.domain),
          txt_record_value: command.txtValue,
        },
      },
    ];
  }
  if (!state) throw new Error(`decide: ${command.kind} on a domain that does not exist`);
  const header = { domain_id: state.id, domain: state.domain, auto_join: state.autoJoin };
  switch (command.kind) {
    case "verify": {
      if (state.verifiedAt) return [];
      if (command.claimedBy && command.claimedBy !== state.accountId) throw domainTaken(state.domain);
      if (!command.txtRecords.includes(state.txtValue))
        throw unverified(
          state,
          `publish a TXT record at ${txtRecordName(state.domain)} with the value ${state.txtValue}, then verify again`,
          { found: command.txtRecords.length },
        );
      return [{ type: TenancyEvent.DomainVerified, data: header }];
    }
    case "setAutoJoin":
      // Only a verified domain: that is when auto_join takes effect.
      if (!state.verifiedAt) throw unverified(state, `verify ${state.domain} before changing auto_join`);
      if (state.autoJoin === command.autoJoin) return [];
      return [{ type: TenancyEvent.DomainAutoJoinChanged, data: { ...header, auto_join: command.autoJoin } }];
    case "remove":
      return [{ type: TenancyEvent.DomainRemoved, data: header }];
  }
}

/** A stored event of the domain: its payload, version and time. */
export type DomainHistoryEvent = { version: number; occurredAt: Date } & (
  | { type: typeof TenancyEvent.DomainAdded; data: DomainAdded }
  | { type: typeof TenancyEvent.DomainVerified; data: DomainVerified }
  | { type: typeof TenancyEvent.DomainAutoJoinChanged; data: DomainAutoJoinChanged }
  | { type: typeof TenancyEvent.DomainRemoved; data: DomainRemoved }
);

/** An event of the domain folded into its state; times come from the event, never the wall clock. */
export function evolve(state: DomainState | null, event: DomainHistoryEvent): DomainState | null {
  if (event.type === TenancyEvent.DomainAdded) {
    const { data } = event;
    return {
      id: data.domain_id,
      accountId: data.account_id,
      domain: data.domain,
      txtValue: data.txt_record_value,
      autoJoin: data.auto_join,
      verifiedAt: null,
      createdAt: event.occurredAt,
      version: event.version,
    };
  }
  if (!state) throw new Error(`evolve: ${event.type} on a domain that does not exist`);
  switch (event.type) {
    case TenancyEvent.DomainVerified:
      return { ...state, verifiedAt: event.occurredAt, version: event.version };
    case TenancyEvent.DomainAutoJoinChanged:
      return { ...state, autoJoin: event.data.auto_join, version: event.version };
    case TenancyEvent.DomainRemoved:
      return null;
  }
}
