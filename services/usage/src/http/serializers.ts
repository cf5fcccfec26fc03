import type { CurrentUsage } from "../app/usage-reads";

export function currentUsageJson(usage: CurrentUsage) {
  return {
    period: usage.period && {
      start: usage.period.start.toISOString(),
      end: usage.period.end.toISOString(),
      status: usage.period.status,
      subscription_id: usage.period.subscriptionId,
      plan_id: usage.period.planId,
    },
    metrics: usage.metrics.map((m) => ({
      metric: m.metric,
      aggregation: m.aggregation,
      value: m.value,
      limit: m.limit,
      percentage: m.percentage,
    })),
  };
}
