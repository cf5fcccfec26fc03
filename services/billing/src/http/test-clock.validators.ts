import { z } from "zod";

/** A clock's time: an ISO 8601 instant within a sane range (no year-10000 loops, no 1970 by mistake). */
const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((date) => date >= new Date("2000-01-01T00:00:00Z") && date < new Date("2100-01-01T00:00:00Z"), {
    error: "must be between 2000 and 2100",
  });

export const createTestClockBody = z.strictObject({
  frozen_time: instant,
  name: z.string().trim().min(1).max(100).nullish(),
});
export const advanceTestClockBody = z.strictObject({ frozen_time: instant });
