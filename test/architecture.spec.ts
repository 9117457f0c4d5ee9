import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const SRC = join(__dirname, '..', 'src');

/** Every import between top-level folders of src/, as `from -> to` with the importing file. */
function crossFolderImports(): { from: string; to: string; file: string }[] {
  const found: { from: string; to: string; file: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const from = relative(SRC, path).split(sep)[0];
        for (const match of readFileSync(path, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
          const target = relative(SRC, normalize(join(dirname(path), match[1])));
          const to = target.split(sep)[0];
          if (!target.startsWith('..') && target.includes(sep) && to !== from) {
            found.push({ from, to, file: relative(SRC, path) });
          }
        }
      }
    }
  };
  walk(SRC);
  return found;
}

const FEATURES = ['analytics', 'auth', 'breakers', 'events', 'metrics', 'observability', 'health', 'graphql', 'stats', 'dashboard', 'maintenance'];

/** Imports point downward: the layering the engineering guide asks for, checked on every run. */
describe('module layering', () => {
  const imports = crossFolderImports();
  const edges = (from: string, to: string) => imports.filter((i) => i.from === from && i.to === to).map((i) => i.file);

  it('keeps common/ and config/ free of any feature', () => {
    const leaks = imports.filter((i) => (i.from === 'common' || i.from === 'config') && FEATURES.includes(i.to));
    expect(leaks).toEqual([]);
  });

  it('has no cycle between breakers/ and metrics/, nor between breakers/ and auth/', () => {
    expect({ breakersToMetrics: edges('breakers', 'metrics'), authToBreakers: edges('auth', 'breakers') }).toEqual({
      breakersToMetrics: [],
      authToBreakers: [],
    });
    // The other directions are the intended ones, so the check above is not vacuous.
    expect(edges('metrics', 'breakers').length).toBeGreaterThan(0);
    expect(edges('breakers', 'auth').length).toBeGreaterThan(0);
  });

  it('keeps stats/ below the write path: breakers/ feeds it, and it imports no feature but auth/', () => {
    const upward = imports.filter((i) => i.from === 'stats' && FEATURES.includes(i.to) && i.to !== 'auth');
    expect(upward.map((i) => `${i.file} -> ${i.to}`)).toEqual([]);
    expect(edges('breakers', 'stats').length).toBeGreaterThan(0);
  });

  it('keeps the entities free of one another: no relation exists only for a query builder', () => {
    const entityFiles: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.entity.ts')) entityFiles.push(path);
      }
    };
    walk(SRC);
    expect(entityFiles.length).toBeGreaterThanOrEqual(3);
    const circles = entityFiles.filter((file) => /from '[^']+\.entity'/.test(readFileSync(file, 'utf8')));
    // Each row names another by its id column; the schema holds the foreign keys.
    expect(circles.map((file) => relative(SRC, file))).toEqual([]);
  });
});
