import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { Clock } from './clock';
import { SlowSubscriberCloser } from './close-slow';

/** The config, the clock and the slow-subscriber closer, available everywhere. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: AppConfig, clock: Clock = new Clock()): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        SlowSubscriberCloser,
      ],
      exports: [APP_CONFIG, Clock, SlowSubscriberCloser],
    };
  }
}
