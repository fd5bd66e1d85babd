/**
 * `npm run demo`: Backprop Lens in code-server, for a newcomer without VS Code.
 * Prints the address to open in a browser; Ctrl-C stops it cleanly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageExtension, startCodeServer } from './codeServer';

async function main(): Promise<void> {
  const workspace = path.join(os.homedir(), 'backprop-lens-demo');
  fs.mkdirSync(workspace, { recursive: true });
  const readme = path.join(workspace, 'README.md');
  if (!fs.existsSync(readme)) {
    fs.writeFileSync(readme, '# Backprop Lens demo\n\nOpen the Backprop Lens view in the activity bar, or press F1 and run "Backprop Lens: Train MLP".\n');
  }
  console.log('Packaging the extension (npm run package)...');
  const vsix = packageExtension();
  console.log(`Starting code-server with ${path.basename(vsix)} installed (the first time, this installs code-server into .cache/e2e: a few minutes)...`);
  const port = Number(process.env.PORT ?? 8080);
  const server = await startCodeServer(workspace, vsix, { port });
  console.log(`\nBackprop Lens is running in VS Code at\n\n  ${server.url}\n\nOpen it in a browser. Press Ctrl-C to stop.`);
  const stop = async (): Promise<void> => {
    console.log('\nStopping code-server...');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
});
