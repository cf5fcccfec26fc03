// Generated from schemas/tenancy-events by `platform-contracts types`; do not edit.

import type { DomainAdded } from "./DomainAdded.v1";
import type { DomainAutoJoinChanged } from "./DomainAutoJoinChanged.v1";
import type { DomainRemoved } from "./DomainRemoved.v1";
import type { DomainVerified } from "./DomainVerified.v1";
import type { GroupArchived } from "./GroupArchived.v1";
import type { GroupCreated } from "./GroupCreated.v1";
import type { GroupMoved } from "./GroupMoved.v1";
import type { GroupRenamed } from "./GroupRenamed.v1";
import type { GroupRolesConfigured } from "./GroupRolesConfigured.v1";
import type { HealthScoreCalculated } from "./HealthScoreCalculated.v1";
import type { HealthScoreDropped } from "./HealthScoreDropped.v1";
import type { InvitationAccepted } from "./InvitationAccepted.v1";
import type { InvitationResent } from "./InvitationResent.v2";
import type { InvitationRevoked } from "./InvitationRevoked.v1";
import type { InvitationSent } from "./InvitationSent.v2";
import type { MemberAdded } from "./MemberAdded.v1";
import type { MemberRemoved } from "./MemberRemoved.v1";
import type { MemberRoleChanged } from "./MemberRoleChanged.v1";
import type { OnboardingItemCompleted } from "./OnboardingItemCompleted.v1";
import type { OnboardingStarted } from "./OnboardingStarted.v1";
import type { OrganizationActivated } from "./OrganizationActivated.v1";
import type { OrganizationClosed } from "./OrganizationClosed.v1";
import type { OrganizationCreated } from "./OrganizationCreated.v1";
import type { OrganizationOnboarded } from "./OrganizationOnboarded.v1";
import type { OrganizationReactivated } from "./OrganizationReactivated.v1";
import type { OrganizationSuspended } from "./OrganizationSuspended.v1";
import type { OrganizationUpdated } from "./OrganizationUpdated.v1";
import type { SlaBreached } from "./SlaBreached.v1";
import type { SlaWarning } from "./SlaWarning.v1";
import type { SuccessRepAssigned } from "./SuccessRepAssigned.v1";
import type { TicketOpened } from "./TicketOpened.v1";
import type { TicketUpdated } from "./TicketUpdated.v1";

export type {
  DomainAdded,
  DomainAutoJoinChanged,
  DomainRemoved,
  DomainVerified,
  GroupArchived,
  GroupCreated,
  GroupMoved,
  GroupRenamed,
  GroupRolesConfigured,
  HealthScoreCalculated,
  HealthScoreDropped,
  InvitationAccepted,
  InvitationResent,
  InvitationRevoked,
  InvitationSent,
  MemberAdded,
  MemberRemoved,
  MemberRoleChanged,
  OnboardingItemCompleted,
  OnboardingStarted,
  OrganizationActivated,
  OrganizationClosed,
  OrganizationCreated,
  OrganizationOnboarded,
  OrganizationReactivated,
  OrganizationSuspended,
  OrganizationUpdated,
  SlaBreached,
  SlaWarning,
  SuccessRepAssigned,
  TicketOpened,
  TicketUpdated,
};

/** The event types of tenancy.events: each record's Avro full name, which is also the event-type header. */
export const TenancyEvent = {
  DomainAdded: "platform.tenancy.DomainAdded",
  DomainAutoJoinChanged: "platform.tenancy.DomainAutoJoinChanged",
  DomainRemoved: "platform.tenancy.DomainRemoved",
  DomainVerified: "platform.tenancy.DomainVerified",
  GroupArchived: "platform.tenancy.GroupArchived",
  GroupCreated: "platform.tenancy.GroupCreated",
  GroupMoved: "platform.tenancy.GroupMoved",
  GroupRenamed: "platform.tenancy.GroupRenamed",
  GroupRolesConfigured: "platform.tenancy.GroupRolesConfigured",
  HealthScoreCalculated: "platform.tenancy.HealthScoreCalculated",
  HealthScoreDropped: "platform.tenancy.HealthScoreDropped",
  InvitationAccepted: "platform.tenancy.InvitationAccepted",
  InvitationResent: "platform.tenancy.InvitationResent",
  InvitationRevoked: "platform.tenancy.InvitationRevoked",
  InvitationSent: "platform.tenancy.InvitationSent",
  MemberAdded: "platform.tenancy.MemberAdded",
  MemberRemoved: "platform.tenancy.MemberRemoved",
  MemberRoleChanged: "platform.tenancy.MemberRoleChanged",
  OnboardingItemCompleted: "platform.tenancy.OnboardingItemCompleted",
  OnboardingStarted: "platform.tenancy.OnboardingStarted",
  OrganizationActivated: "platform.tenancy.OrganizationActivated",
  OrganizationClosed: "platform.tenancy.OrganizationClosed",
  OrganizationCreated: "platform.tenancy.OrganizationCreated",
  OrganizationOnboarded: "platform.tenancy.OrganizationOnboarded",
  OrganizationReactivated: "platform.tenancy.OrganizationReactivated",
  OrganizationSuspended: "platform.tenancy.OrganizationSuspended",
  OrganizationUpdated: "platform.tenancy.OrganizationUpdated",
  SlaBreached: "platform.tenancy.SlaBreached",
  SlaWarning: "platform.tenancy.SlaWarning",
  SuccessRepAssigned: "platform.tenancy.SuccessRepAssigned",
  TicketOpened: "platform.tenancy.TicketOpened",
  TicketUpdated: "platform.tenancy.TicketUpdated",
} as const;

export type TenancyEventType = (typeof TenancyEvent)[keyof typeof TenancyEvent];

/** The payload of each tenancy.events event type, as its latest version (the reader schema services decode with). */
export interface TenancyPayloads {
  "platform.tenancy.DomainAdded": DomainAdded;
  "platform.tenancy.DomainAutoJoinChanged": DomainAutoJoinChanged;
  "platform.tenancy.DomainRemoved": DomainRemoved;
  "platform.tenancy.DomainVerified": DomainVerified;
  "platform.tenancy.GroupArchived": GroupArchived;
  "platform.tenancy.GroupCreated": GroupCreated;
  "platform.tenancy.GroupMoved": GroupMoved;
  "platform.tenancy.GroupRenamed": GroupRenamed;
  "platform.tenancy.GroupRolesConfigured": GroupRolesConfigured;
  "platform.tenancy.HealthScoreCalculated": HealthScoreCalculated;
  "platform.tenancy.HealthScoreDropped": HealthScoreDropped;
  "platform.tenancy.InvitationAccepted": InvitationAccepted;
  "platform.tenancy.InvitationResent": InvitationResent;
  "platform.tenancy.InvitationRevoked": InvitationRevoked;
  "platform.tenancy.InvitationSent": InvitationSent;
  "platform.tenancy.MemberAdded": MemberAdded;
  "platform.tenancy.MemberRemoved": MemberRemoved;
  "platform.tenancy.MemberRoleChanged": MemberRoleChanged;
  "platform.tenancy.OnboardingItemCompleted": OnboardingItemCompleted;
  "platform.tenancy.OnboardingStarted": OnboardingStarted;
  "platform.tenancy.OrganizationActivated": OrganizationActivated;
  "platform.tenancy.OrganizationClosed": OrganizationClosed;
  "platform.tenancy.OrganizationCreated": OrganizationCreated;
  "platform.tenancy.OrganizationOnboarded": OrganizationOnboarded;
  "platform.tenancy.OrganizationReactivated": OrganizationReactivated;
  "platform.tenancy.OrganizationSuspended": OrganizationSuspended;
  "platform.tenancy.OrganizationUpdated": OrganizationUpdated;
  "platform.tenancy.SlaBreached": SlaBreached;
  "platform.tenancy.SlaWarning": SlaWarning;
  "platform.tenancy.SuccessRepAssigned": SuccessRepAssigned;
  "platform.tenancy.TicketOpened": TicketOpened;
  "platform.tenancy.TicketUpdated": TicketUpdated;
}
