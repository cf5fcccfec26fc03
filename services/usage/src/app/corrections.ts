import { inTenant } from "@platform/database";
import { ConflictError, NotFoundError } from "@platform/errors";
import type { FactProducer } from "@platform/messaging";
import { CorrectionErrorCodes, type UsageCorrection, VOIDED_FINGERPRINT } from "../domain/corrections";
import type { Actor } from "../domain/events";
import { closedPeriodAt } from "../domain/periods";
import { reportedRecord } from "../domain/usage-events";
import type { Db } from "./tenant";

export interface CorrectionResult {
  idempotencyKey: string;
  action: UsageCorrection;
  metric: string;
  quantity: number;
}

/**
 * Amending or voiding a counted event by its idempotency key, within its open period (OpenMeter's and
 * Orb's "amend by key"): produced to usage.ingest as a correction record under the same key, so the
 * count applies it in the log's order, live and in a rebuild alike. The edge refuses a key not counted
 * (404), a voided one (409 for an amendment; a repeated void is a repeat) and a closed period (409);
 * a correction that still reaches the count after its period closed changes nothing there.
 */
export class UsageCorrections {
  constructor(
    private readonly db: Db,
    private readonly producer: FactProducer,
  ) {}

  async correct(
    accountId: string,
    idempotencyKey: string,
    action: UsageCorrection,
    quantity: number,
    actor: Actor,
  ): Promise<CorrectionResult> {
    const { row, closed } = await inTenant(this.db, accountId, async (tx) => {
      const row = await tx.usageEvent.findUnique({
        where: { accountId_idempotencyKey: { accountId, idempotencyKey } },
      });
      const closed = row
        ? await tx.closedPeriod.findMany({
            where: { accountId, periodEnd: { gt: row.occurredAt } },
            select: { periodStart: true, periodEnd: true },
          })
        : [];
      return { row, closed };
    });
    // Late events (kept uncounted) are corrected in no total: to the caller they are not counted events.
    const voided = row?.fingerprint === VOIDED_FINGERPRINT;
    if (!row || (!row.counted && !voided))
      throw new NotFoundError(
        CorrectionErrorCodes.notFound,
        "no counted usage event has this idempotency key",
      );
    const result = { idempotencyKey, action, metric: row.metric, quantity };
    if (voided) {
      if (action === "VOID") return result;
      throw new ConflictError(CorrectionErrorCodes.voided, "this usage event was voided");
    }
    const period = closedPeriodAt(
      closed.map((p) => ({ start: p.periodStart.getTime(), end: p.periodEnd.getTime() })),
      row.occurredAt.getTime(),
    );
    if (period)
      throw new ConflictError(
        CorrectionErrorCodes.periodClosed,
        `the event's period ${new Date(period.start).toISOString()} – ${new Date(period.end).toISOString()} is closed`,
      );
    await this.producer.send([
      reportedRecord(
        accountId,
        {
          idempotencyKey,
          metric: row.metric,
          quantity,
          occurredAt: row.occurredAt.getTime(),
          dimensions: row.dimensions as Record<string, string>,
          source: null,
          subject: null,
        },
        actor,
        action,
      ),
    ]);
    return result;
  }
}
