/**
 * `npm run test:vscode`: the extension in desktop VS Code, downloaded by
 * @vscode/test-electron. It needs the network to download VS Code, so it is not
 * part of `npm test` (which drives code-server instead).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const suite = path.join(root, 'out', 'vscode-suite.js');
  execFileSync(path.join(root, 'node_modules/.bin/esbuild'), ['test/vscode/suite.ts', '--bundle', '--platform=node', '--format=cjs', '--external:vscode', `--outfile=${suite}`], { cwd: root, stdio: 'inherit' });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-lens-vscode-'));
  await runTests({ extensionDevelopmentPath: root, extensionTestsPath: suite, launchArgs: [workspace, '--disable-extensions'] });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
