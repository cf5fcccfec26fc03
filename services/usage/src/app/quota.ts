import { randomUUID } from "node:crypto";
import { accountClosedError } from "@platform/auth";
import { InvalidInputError } from "@platform/errors";
import type { FactProducer } from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Actor } from "../domain/events";
import type { MeterCatalog } from "../domain/meters";
import { UsageErrorCodes } from "../domain/usage-events";
import type { QuotaView } from "./quota-view";

export interface QuotaAnswer {
  metric: string;
  allowed: boolean;
  /** Units left in the period before this request; -1 unlimited. */
  remaining: number;
  /** The plan's limit; -1 unlimited (also when the plan does not limit the metric, or there is no period). */
  limit: number;
  /** When the period ends and the count starts again; null without a period. */
  resetsAt: Date | null;
}

/**
 * The quota check (docs/usage.md, "Quota checks"): answered from the quota view's memory, never from a
 * transaction. A refusal is also a fact, `QuotaRequestDenied` on usage.events, produced straight to
 * the broker (the fact path) without holding the answer: a broker failure is logged, the answer stands.
 */
export class QuotaChecker {
  constructor(
    private readonly view: QuotaView,
    private readonly meters: MeterCatalog,
    private readonly denials: FactProducer,
    private readonly logger: Logger,
  ) {}

  /** `actor` is asked only for a refusal's event: an allowed check need not work out who asked (the forwarded address). */
  async check(accountId: string, metric: string, quantity: number, actor: () => Actor): Promise<QuotaAnswer> {
    if (!this.meters.meter(metric))
      throw new InvalidInputError(UsageErrorCodes.unknownMetric, `metric: no meter named ${metric}`);
    const snapshot = await this.view.get(accountId);
    const { period, limits, totals, closed } = snapshot;
    if (closed) throw accountClosedError(accountId);
    const limit = limits[metric];
    const resetsAt = period ? new Date(period.end) : null;
    if (!period || limit === undefined || limit < 0)
      return { metric, allowed: true, remaining: -1, limit: -1, resetsAt };
    const current = totals[metric] ?? 0;
    const allowed = current + quantity <= limit;
    if (!allowed) {
      const denial = {
        account_id: accountId,
        denial_id: randomUUID(),
        metric,
        requested: quantity,
        current,
        limit,
        period_start: period.start,
        period_end: period.end,
        // The organization's now: a clocked organization's refusal is stamped at its clock's time.
        occurred_at: this.view.now(snapshot),
        actor: actor(),
      };
      // Not awaited: the answer is the limit's, not the broker's, and a broker round trip (or a slow
      // broker) must not sit in every refusal's latency. A refusal the broker did not take is logged.
      this.denials.send([denial]).catch((error: unknown) => {
        this.logger.error({ error, accountId, metric }, "QuotaRequestDenied could not be produced");
      });
    }
    return { metric, allowed, remaining: Math.max(0, limit - current), limit, resetsAt };
  }
}
