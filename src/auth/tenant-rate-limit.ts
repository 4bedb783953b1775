import { Inject, Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import type { TenantId } from '../database/tenant-id';

/**
 * The tenant's request budget (RATE_LIMIT_PER_TENANT_PER_MINUTE), one per process. The auth guard
 * spends one unit per authenticated call (per REST request, per GraphQL root field); a bulk write
 * spends one per item (`chargeItems`), so 30 aliased upserts of 100 items cost 3,000, not 30.
 */
@Injectable()
export class TenantRateLimit {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = new RateLimiter(config.rateLimit.perTenantPerMinute, 60_000);
  }

  /** Spends `units`; a 429 (with Retry-After) when the budget is spent. */
  charge(tenantId: TenantId, units = 1): void {
    if (units <= 0) return;
    const retryAfter = this.limiter.hit(tenantId, this.clock.now().getTime(), units);
    if (retryAfter > 0) {
      throw new AppException(ErrorCode.RateLimited, 'Too many requests for this account; slow down.', { retryAfterSeconds: retryAfter });
    }
  }

  /** A bulk write of `items`: each item counts as a request; the call itself was counted by the guard. */
  chargeItems(tenantId: TenantId, items: number): void {
    this.charge(tenantId, items - 1);
  }
}
