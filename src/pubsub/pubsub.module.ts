import { DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { DatabaseConnection } from '../database/database-connection';
import { MemoryPubSub } from './memory.pubsub';
import { PostgresPubSub } from './postgres.pubsub';
import { PUB_SUB, PubSub } from './pubsub';

/** The PubSub: LISTEN/NOTIFY on an external Postgres (several instances), in memory on the embedded database. */
@Global()
@Module({})
export class PubSubModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: PubSubModule,
      providers: [
        {
          provide: PUB_SUB,
          inject: [DataSource, Clock],
          useFactory: async (dataSource: DataSource, clock: Clock): Promise<PubSub> => {
            // PGlite's NOTIFY does not cross its socket connections, and it serves one process anyway.
            if (connection.kind === 'embedded') return new MemoryPubSub();
            const pubsub = new PostgresPubSub(dataSource, connection.url, () => clock.now());
            await pubsub.start();
            return pubsub;
          },
        },
      ],
      exports: [PUB_SUB],
    };
  }
}
