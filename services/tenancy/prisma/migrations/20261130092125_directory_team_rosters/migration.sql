-- A directory team's member list leaves the group row for a table of its own: it is projected from
-- identity's topic, while groups become an inline projection of tenancy's own log (issue #10).

-- CreateTable
CREATE TABLE "directory_team_rosters" (
    "team_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "member_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "directory_team_rosters_pkey" PRIMARY KEY ("team_id")
);

-- CreateIndex
CREATE INDEX "directory_team_rosters_account_id_idx" ON "directory_team_rosters"("account_id");

-- Existing lists move over tenant by tenant (row-level security is forced on groups).
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    INSERT INTO directory_team_rosters (team_id, account_id, member_ids)
      SELECT id, account_id, directory_member_ids FROM groups
      WHERE account_id = tenant AND cardinality(directory_member_ids) > 0;
  END LOOP;
END $$;

-- AlterTable
ALTER TABLE "groups" DROP COLUMN "directory_member_ids";

-- A tenant table (platform-db tenant:sql --table directory_team_rosters).
ALTER TABLE directory_team_rosters ENABLE ROW LEVEL SECURITY;
ALTER TABLE directory_team_rosters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON directory_team_rosters USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
