/**
 * The role every tenant query runs under: not the owner, not superuser, not BYPASSRLS.
 * It is switched to per transaction (set_config('role', ..., true) is SET LOCAL ROLE), together
 * with app.tenant_id, so nothing leaks across pooled connections.
 */
export const APP_ROLE = 'touchpoint_app';
