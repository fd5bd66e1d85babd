import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A file that `npm run build` writes into dist/: found beside the bundle that runs
 * (dist/ itself), or in dist/ when the engine runs from its TypeScript sources.
 */
export function distFile(name: string): string {
  const candidates = [path.join(__dirname, name), path.join(__dirname, '..', 'dist', name)];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`dist/${name} is missing: run npm run build (looked in ${candidates.join(', ')})`);
  return found;
}
