import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { AppException, ErrorCode } from '../common/app.exception';
import { DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '../common/problem';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'The process is up.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'The process can serve: the database answers. 503 otherwise.' })
  async ready(): Promise<{ status: 'ok'; database: 'ok' }> {
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
    } catch {
      throw new AppException(ErrorCode.Unavailable, 'Database is not reachable', { retryAfterSeconds: DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS });
    }
    return { status: 'ok', database: 'ok' };
  }
}
