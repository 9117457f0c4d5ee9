import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/** The dashboard's sources (web/), from the repository root whether this runs from scripts/ or dist/scripts/. */
const SOURCE = resolve(__dirname, __dirname.includes(`${join('dist', 'scripts')}`) ? '../..' : '..', 'web');

/**
 * Bundles the dashboard (Preact and uPlot, graphql-ws's client) into `outDir`: index.html and
 * content-hashed assets under assets/, so that the app can cache them for good. Offline: nothing
 * is fetched from any other host at run time.
 */
export async function buildDashboard(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  const assets = join(outDir, 'assets');
  await mkdir(assets, { recursive: true });
  const result = await build({
    entryPoints: [join(SOURCE, 'src', 'main.tsx'), join(SOURCE, 'styles.css')],
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const js = outputs.find((file) => file.startsWith('main-') && file.endsWith('.js'));
  const css = outputs.find((file) => file.startsWith('styles-') && file.endsWith('.css'));
  if (!js || !css) throw new Error(`the dashboard build wrote no bundle: ${outputs.join(', ')}`);
  const html = (await readFile(join(SOURCE, 'index.html'), 'utf8')).replace('{{js}}', js).replace('{{css}}', css);
  await writeFile(join(outDir, 'index.html'), html);
}

if (require.main === module) {
  const out = resolve(process.argv[2] ?? resolve(SOURCE, '..', 'dist', 'dashboard'));
  buildDashboard(out).then(
    () => console.log(`dashboard built into ${out}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
