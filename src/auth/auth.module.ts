import { DynamicModule, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { DatabaseConnection } from '../database/database-connection';
import { ApiKeyStore } from './api-key.store';
import { AuthLimits } from './auth-limits';
import { AuthenticatedSockets } from './authenticated-sockets';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { GraphqlAuth } from './graphql-auth';
import { HttpAuthGate } from './http-auth-gate';
import { KeyCache } from './key-cache';
import { Revocations } from './revocations';
import { ViewerResolver } from './viewer.resolver';

const DATABASE_KIND = Symbol('DATABASE_KIND');

/** API keys, roles, and the bootstrap admin key. */
@Module({})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_KIND) private readonly databaseKind: DatabaseConnection['kind'],
  ) {}

  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: DATABASE_KIND, useValue: connection.kind },
        ApiKeyStore,
        AuthService,
        Revocations,
        KeyCache,
        AuthLimits,
        AuthenticatedSockets,
        GraphqlAuth,
        HttpAuthGate,
        AuthResolver,
        ViewerResolver,
      ],
      exports: [AuthService, AuthenticatedSockets, GraphqlAuth, HttpAuthGate],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.auth.bootstrap(this.databaseKind === 'embedded' ? this.config.dataDir : null);
  }
}
