/**
 * Tenant A's flood for bench/flood.ts, in a process of its own so that its client work does not delay
 * the quiet tenant's measurements: `connections` closed loops of quota checks until SIGTERM, then the
 * answers by status as one JSON line.
 */
import { post } from "./load";

const [url, accountId, token, connections] = process.argv.slice(2) as [string, string, string, string];
const statuses: Record<number, number> = {};
let flooding = true;
const loops = Array.from({ length: Number(connections) }, async () => {
  while (flooding) {
    const { status } = await post(url, `/v1/organizations/${accountId}/quotas/check`, token, {
      metric: "api_calls",
    });
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
});
process.on("SIGTERM", () => {
  flooding = false;
  Promise.all(loops).then(() => {
    process.stdout.write(`${JSON.stringify(statuses)}\n`);
    process.exit(0);
  });
});
