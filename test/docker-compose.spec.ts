import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs where the tests run, so the compose file is checked by reading it.
const root = join(__dirname, '..');

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

  it('runs Postgres 16 with a health check', () => {
    const postgres = compose.services.postgres;
    expect(postgres.image).toBe('postgres:16');
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready');
  });

  it('builds the app from the Dockerfile, points it at that Postgres and checks its health', () => {
    const app = compose.services.app;
    expect(app.build).toBe('.');
    expect(existsSync(join(root, 'Dockerfile'))).toBe(true);
    const env = app.environment;
    const url = new URL(env.DATABASE_URL);
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(compose.services.postgres.environment.POSTGRES_USER);
    expect(url.pathname).toBe(`/${compose.services.postgres.environment.POSTGRES_DB}`);
    expect(app.depends_on.postgres.condition).toBe('service_healthy');
    expect(app.ports).toContain(`${env.PORT}:${env.PORT}`);
    expect(app.healthcheck.test).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js', env.PORT]);
  });

  it('has a Dockerfile that builds what the health check and the app run', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/main.js"\]/);
    const healthcheck = readFileSync(join(root, 'scripts', 'healthcheck.ts'), 'utf8');
    expect(healthcheck).toContain('/health/ready');
  });
});
