import { constantTimeEqual, sha256Hex } from '../common/crypto';
import type { AppConfig } from '../config/app-config';

/**
 * Whether a scrape may read /metrics (counts across every tenant): with METRICS_TOKEN set, only
 * with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). The API port and the
 * separate metrics port (METRICS_PORT) apply the same rule.
 */
export function metricsAuthorized(config: AppConfig['metrics'], authorization: string | undefined): boolean {
  if (config.token === undefined) return true;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m !== null && constantTimeEqual(sha256Hex(m[1]!), sha256Hex(config.token));
}
