// Builds every bundle into dist/. The engine bundles run in Node (the CLI now,
// the extension's worker thread later).
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import asc from 'assemblyscript/asc';

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

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning',
  // The embedded digits stay in the mnist package, found at run time.
  external: ['mnist'],
  // ES module builds first: jsonc-parser's UMD build loads its parts in a way a bundle cannot follow.
  mainFields: ['module', 'main'] };

// Check My Backprop's harness runs in the student's Python; it goes beside the bundles that start it.
fs.mkdirSync('dist', { recursive: true });
fs.copyFileSync('engine/check/harness.py', 'dist/harness.py');

await Promise.all([
  buildKernels('dist/kernels.wasm', ['simd', 'threads']),
  buildKernels('dist/kernels-relaxed.wasm', ['simd', 'relaxed-simd', 'threads']),
  esbuild.build({ ...node, entryPoints: ['engine/cli/main.ts'], outfile: 'dist/cli.js' }),
  esbuild.build({ ...node, entryPoints: ['engine/index.ts'], outfile: 'dist/engine.js' }),
  esbuild.build({ ...node, entryPoints: ['extension/worker.ts'], outfile: 'dist/worker.js' }),
  esbuild.build({ ...node, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'mnist'] }),
  // The panel: a browser script under a strict CSP (no eval), and its styles.
  esbuild.build({ bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', sourcemap: true, logLevel: 'warning', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' }),
  // KaTeX's fonts go beside it, in dist/fonts/.
  esbuild.build({ bundle: true, logLevel: 'warning', entryPoints: ['webview/styles.css'], outfile: 'dist/webview.css',
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' }, assetNames: 'fonts/[name]' }),
]);
