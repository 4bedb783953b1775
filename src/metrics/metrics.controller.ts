import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { AppException, ErrorCode } from '../common/app.exception';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { metricsAuthorized } from './metrics-access';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics in the Prometheus text format, on the API port. It answers 404 when the metrics
 * have a port of their own (METRICS_PORT, see MetricsServer) or are off (production without
 * METRICS_TOKEN or METRICS_PORT), and 401 without the bearer token when METRICS_TOKEN is set.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  render(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const m = this.config.metrics;
    if (!m.enabled || m.port !== undefined) throw new AppException(ErrorCode.NotFound, 'Route GET /metrics not found');
    if (!metricsAuthorized(m, authorization)) throw new AppException(ErrorCode.Unauthenticated, 'The metrics need the bearer token METRICS_TOKEN');
    return this.metrics.render();
  }
}
