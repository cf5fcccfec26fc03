/** billing's permissions (held by the default roles: owner `*`, billing_manager `billing.*`, admin `billing.read`). */
export const BILLING_READ = "billing.read";
export const BILLING_MANAGE = "billing.manage";
