import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { BreakerMetrics } from './breaker-metrics';

/** GET /metrics in the Prometheus text format: open, behind METRICS_TOKEN, or off (METRICS_ENABLED=false). */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: BreakerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @HttpCode(200)
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const { metricsEnabled, metricsToken } = this.config.observability;
    if (!metricsEnabled) throw new NotFoundException();
    if (metricsToken !== null && !sameSecret(authorization ?? '', `Bearer ${metricsToken}`)) {
      throw new UnauthorizedException('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    const { contentType, body } = await this.metrics.render();
    res.setHeader('content-type', contentType);
    res.send(body);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
