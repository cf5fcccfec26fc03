import { InvalidInputError } from "@platform/errors";
import { z } from "zod";

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a calendar month as YYYY-MM");

/** `?from=YYYY-MM&to=YYYY-MM`, both optional (src/app/revenue.ts fills and bounds the range). */
const metricsQuery = z.strictObject({ from: month.optional(), to: month.optional() });

/** The query, or 400 `invalid_month_range` naming every problem (a query is not a body). */
export function parseMetricsQuery(query: unknown): z.output<typeof metricsQuery> {
  const result = metricsQuery.safeParse(query);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw new InvalidInputError("invalid_month_range", "from and to are calendar months as YYYY-MM", {
    details: { errors },
  });
}
