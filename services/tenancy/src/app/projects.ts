import { PlatformError } from "@platform/errors";
import { hasRoomForProject } from "../domain/groups";
import { lockOrganization, type Tx } from "./tenant";

/**
 * Projects: the organization's groups of type project that are not archived, against the plan's
 * `projects` limit as tenancy projects it from billing's events (no call to billing). The count spans
 * every project of the organization, which no one aggregate's version guards (each new project is a
 * new aggregate at version 0): the check takes `lockOrganization`, so two creations take turns and the
 * second counts the first.
 */
export class ProjectLimit {
  constructor(private readonly projectLimitWithoutPlan: number) {}

  /** Refuses (`project_limit_reached`) when one more project does not fit; holds the lock until commit. */
  async ensureRoom(tx: Tx, accountId: string): Promise<void> {
    await lockOrganization(tx, accountId);
    const traits = await tx.accountTraits.findUnique({ where: { accountId } });
    const limit = traits?.projectLimit ?? this.projectLimitWithoutPlan;
    const projects = await tx.group.count({ where: { accountId, type: "project", archivedAt: null } });
    if (!hasRoomForProject({ limit, projects }))
      throw new PlatformError(
        "limit_reached",
        "project_limit_reached",
        `the plan allows ${limit} projects; archive one or upgrade to add more`,
        { details: { limit, projects, plan: traits?.plan ?? null } },
      );
  }
}
