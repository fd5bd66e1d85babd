/** Runs inside VS Code's extension host: activation, every command, a run that starts and stops. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunStatus } from '../../engine';

async function until(ok: () => boolean, what: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<{ readonly status: RunStatus }>('backprop-lens.backprop-lens');
  assert.ok(extension, 'the extension is installed');
  const api = await extension.activate();

  const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
  const registered = new Set(await vscode.commands.getCommands(true));
  for (const command of contributed) assert.ok(registered.has(command), `${command} is registered`);
  assert.equal(contributed.length, 13);

  await vscode.commands.executeCommand('backpropLens.train');
  await until(() => api.status.state === 'running', 'the run to start');
  await vscode.commands.executeCommand('backpropLens.pause');
  await until(() => api.status.state === 'paused', 'the pause');
  await vscode.commands.executeCommand('backpropLens.stop');
  await until(() => api.status.state === 'idle', 'the stop');
  assert.equal(api.status.message, 'stopped');
  console.log('Backprop Lens in desktop VS Code: activation, 13 commands, start, pause and stop all passed');
}
