/**
 * Success-rep assignments as event-sourced state (issue #10 items 1, 3, 5): `rep_assignments` and the
 * rules' round-robin cursors (`rep_cursors`, each the count of its rule's SuccessRepAssigned) are
 * written only by the inline handler of SuccessRepAssigned, and a rebuild from `platform_events` at a
 * later time equals the live tables.
 */
import { allTenantIds, inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import type { RepAssignment } from "../src/generated/prisma/client";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy({
    SUCCESS_REP_RULES: JSON.stringify([
      { id: "enterprise", priority: 1, match: { minEmployees: 1000 }, reps: ["rep_ent"] },
      { id: "everyone", priority: 9, match: {}, reps: ["rep_a", "rep_b", "rep_c"] },
    ]),
  });
});
afterAll(() => h.close());

async function allRepState() {
  const assignments: RepAssignment[] = [];
  for (const accountId of await allTenantIds(h.service.db))
    assignments.push(
      ...(await inTenant(h.service.db, accountId, (tx) =>
        tx.repAssignment.findMany({ where: { accountId } }),
      )),
    );
  const cursors = await h.service.db.repCursor.findMany({ orderBy: { ruleId: "asc" } });
  return { assignments: assignments.sort((a, b) => a.accountId.localeCompare(b.accountId)), cursors };
}

const assignmentOf = (accountId: string, ruleId: string) =>
  waitFor(
    () =>
      inTenant(h.service.db, accountId, (tx) => tx.repAssignment.findUnique({ where: { accountId } })).then(
        (row) => (row?.ruleId === ruleId ? row : undefined),
      ),
    { what: `${accountId}'s rep by ${ruleId}` },
  );

it("round-robin by the count of the rule's assignments; a rebuild at a later time writes equal rows", async () => {
  const reps: string[] = [];
  for (const name of ["One", "Two", "Three", "Four"]) {
    const { accountId } = await h.organization(name);
    reps.push((await assignmentOf(accountId, "everyone")).repId);
  }
  expect(reps).toEqual(["rep_a", "rep_b", "rep_c", "rep_a"]);
  const big = await h.organization("Big");
  await assignmentOf(big.accountId, "everyone");
  h.clock.advance(60_000);
  const updated = await h.call("PATCH", `/v1/organizations/${big.accountId}`, {
    token: big.owner.token,
    body: { number_of_employees: 5000 },
  });
  expect(updated.status).toBe(200);
  const moved = await assignmentOf(big.accountId, "enterprise");
  expect(moved).toMatchObject({ repId: "rep_ent", version: 2 });

  const live = await allRepState();
  expect(live.cursors).toEqual([
    { ruleId: "enterprise", cursor: 1 },
    { ruleId: "everyone", cursor: 5 },
  ]);

  h.clock.advance(86_400_000);
  await h.service.db.repCursor.update({ where: { ruleId: "everyone" }, data: { cursor: 99 } });
  await h.service.rebuildState();
  expect(await allRepState()).toEqual(live);
});
