import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Logger,
  NotFoundException,
  OnModuleInit,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { BreakerMetrics } from './breaker-metrics';
import { MetricsAccess, metricsAccess } from './metrics-access';

/** GET /metrics in the Prometheus text format: open, behind METRICS_TOKEN, or off (see metricsAccess). */
@Controller('metrics')
export class MetricsController implements OnModuleInit {
  private readonly access: MetricsAccess;

  constructor(
    private readonly metrics: BreakerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.access = metricsAccess(config);
  }

  onModuleInit(): void {
    if (this.access === 'withheld') {
      new Logger(MetricsController.name).warn(
        'GET /metrics answers 404: NODE_ENV=production serves it only with METRICS_TOKEN set, or with METRICS_PUBLIC=true',
      );
    }
  }

  @Get()
  @HttpCode(200)
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (this.access === 'off' || this.access === 'withheld') throw new NotFoundException();
    const token = this.config.observability.metricsToken;
    if (this.access === 'token' && !sameSecret(authorization ?? '', `Bearer ${token}`)) {
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
