/** usage's permissions (held by the default roles: owner `*`, admin `usage.*`, billing_manager `usage.read`). */
export const USAGE_WRITE = "usage.write";
export const USAGE_READ = "usage.read";
