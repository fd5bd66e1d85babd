/**
 * code-server (VS Code 1.139 in a browser) with this extension installed from the
 * .vsix that `npm run package` writes, as users install it, in a folder of its own:
 * the real VS Code that the end-to-end test and `npm run demo` drive. Installs itself
 * into .cache/e2e on first use (test/e2e/install-code-server.sh).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface CodeServer {
  readonly url: string;
  readonly workspace: string;
  /** Everything code-server wrote: its logs, user data, extensions. */
  readonly home: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Installs code-server and Node 24 once; returns the Node binary and code-server's folder. */
export function installCodeServer(): { node: string; server: string } {
  const out = execFileSync('bash', [path.join(ROOT, 'test/e2e/install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [node, server] = out.trim().split('\n').slice(-2);
  return { node, server };
}

/** Builds the package with `npm run package` (the production build included); returns the .vsix. */
export function packageExtension(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`);
  fs.rmSync(vsix, { force: true });
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!fs.existsSync(vsix)) throw new Error(`npm run package did not write ${vsix}`);
  return vsix;
}

/** Installs `vsix` into `extensions` with code-server's own --install-extension. */
function installExtension(node: string, server: string, extensions: string, vsix: string): void {
  execFileSync(node, [path.join(server, 'out/node/entry.js'), '--extensions-dir', extensions, '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitForServer(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * Starts code-server on 127.0.0.1 with `workspace` open and `vsix` installed into a
 * fresh extensions folder. Its files go under a fresh folder.
 */
export async function startCodeServer(workspace: string, vsix: string, options: { port?: number } = {}): Promise<CodeServer> {
  const { node, server } = installCodeServer();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-lens-code-server-'));
  const extensions = path.join(home, 'extensions');
  fs.mkdirSync(extensions);
  installExtension(node, server, extensions, vsix);
  for (const dir of ['config', 'data', 'tmp']) fs.mkdirSync(path.join(home, dir));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(home, 'code-server.log'), 'w');
  const child = spawn(
    node,
    [
      path.join(server, 'out/node/entry.js'),
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', path.join(home, 'user-data'),
      '--extensions-dir', extensions,
      workspace,
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), TMPDIR: path.join(home, 'tmp') },
    },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.closeSync(log);
  };
  try {
    await waitForServer(url, child, 60000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; its log: ${fs.readFileSync(path.join(home, 'code-server.log'), 'utf8').slice(-2000)}`);
  }
  return { url: `${url}/?folder=${encodeURIComponent(workspace)}`, workspace, home, stop };
}
