-- Invitations become an inline projection of their events (issue #10). The invitee's address is not
-- in the events (only its hash), so it moves to a table of its own, declared in the secret store; the
-- link's hash stays (it is in InvitationSent/Resent as token_sha256) and is nullable, since
-- invitations sent before InvitationSent v2 carry none.

-- CreateTable
CREATE TABLE "invitation_addresses" (
    "invitation_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,

    CONSTRAINT "invitation_addresses_pkey" PRIMARY KEY ("invitation_id")
);

-- CreateIndex
CREATE INDEX "invitation_addresses_account_id_email_idx" ON "invitation_addresses"("account_id", "email");

-- AlterTable
ALTER TABLE "invitations" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "token_hash" DROP NOT NULL;

-- Existing addresses move over, and existing invitations take the version of their last event,
-- tenant by tenant (row-level security is forced).
DO $$
DECLARE tenant text;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM platform_events WHERE tenant_id IS NOT NULL LOOP
    PERFORM set_config('app.tenant_id', tenant, true);
    INSERT INTO invitation_addresses (invitation_id, account_id, email)
      SELECT id, account_id, email FROM invitations WHERE account_id = tenant;
    UPDATE invitations i SET version = e.version
      FROM (SELECT aggregate_id, max(version) AS version FROM platform_events GROUP BY aggregate_id) e
      WHERE e.aggregate_id = i.id;
  END LOOP;
END $$;

-- AlterTable
ALTER TABLE "invitations" DROP COLUMN "email";

-- A tenant table (platform-db tenant:sql --table invitation_addresses).
ALTER TABLE invitation_addresses ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitation_addresses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitation_addresses USING (account_id = current_setting('app.tenant_id', true)) WITH CHECK (account_id = current_setting('app.tenant_id', true));
