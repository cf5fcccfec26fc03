import { latestSchemasOf, loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import type { Actor } from "@platform/contracts/src/types/tenancy.events/OrganizationCreated.v1";
import { EventCatalog } from "@platform/event-sourcing";

export type { Actor };

const contracts = loadContracts(SCHEMAS_ROOT);

/** tenancy's event types: the Avro full names of the records in schemas/tenancy-events. */
export const TenancyEvent = {
  OrganizationCreated: "platform.tenancy.OrganizationCreated",
  OrganizationUpdated: "platform.tenancy.OrganizationUpdated",
  OrganizationOnboarded: "platform.tenancy.OrganizationOnboarded",
  OrganizationActivated: "platform.tenancy.OrganizationActivated",
  OrganizationSuspended: "platform.tenancy.OrganizationSuspended",
  OrganizationReactivated: "platform.tenancy.OrganizationReactivated",
  OrganizationClosed: "platform.tenancy.OrganizationClosed",
  GroupCreated: "platform.tenancy.GroupCreated",
  GroupRenamed: "platform.tenancy.GroupRenamed",
  GroupMoved: "platform.tenancy.GroupMoved",
  GroupRolesConfigured: "platform.tenancy.GroupRolesConfigured",
  GroupArchived: "platform.tenancy.GroupArchived",
  MemberAdded: "platform.tenancy.MemberAdded",
  MemberRoleChanged: "platform.tenancy.MemberRoleChanged",
  MemberRemoved: "platform.tenancy.MemberRemoved",
  InvitationSent: "platform.tenancy.InvitationSent",
  InvitationResent: "platform.tenancy.InvitationResent",
  InvitationRevoked: "platform.tenancy.InvitationRevoked",
  InvitationAccepted: "platform.tenancy.InvitationAccepted",
  OnboardingStarted: "platform.tenancy.OnboardingStarted",
  OnboardingItemCompleted: "platform.tenancy.OnboardingItemCompleted",
} as const;

export const tenancySchemas = latestSchemasOf(contracts, "tenancy.events");
export const tenancyCatalog = new EventCatalog(Object.values(tenancySchemas));

/** Reader schemas for everything tenancy projects: its own log, identity's and billing's. */
export const projectedSchemas = {
  ...tenancySchemas,
  ...latestSchemasOf(contracts, "identity.events"),
  ...latestSchemasOf(contracts, "billing.events"),
};

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, ip_address: null, user_agent: null };
