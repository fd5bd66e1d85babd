/**
 * Runs harness.py in the student's own Python: one child process per check, with
 * a time limit, a memory limit and a bound on what the student's code may print.
 * Every way it can go wrong ends in a CheckSetupError that names the problem, the
 * file and the fix.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Values } from './pieces';

/** What the harness says of a class or function: the file and line of its def. */
export interface Definition {
  readonly file: string | null;
  readonly line: number | null;
  readonly methods?: Readonly<Record<string, { readonly file: string | null; readonly line: number | null }>>;
}
export type Definitions = Readonly<Record<string, Definition>>;

export interface PythonInfo {
  readonly executable: string;
  readonly version: string;
  readonly numpy: string;
}

export interface HarnessRun {
  readonly python: PythonInfo;
  readonly names: Definitions;
  /** The harness's values per piece id. */
  readonly results: ReadonlyMap<number, Values>;
  /** What the student's code printed: its size, and its first lines. */
  readonly printed: { readonly bytes: number; readonly head: string };
}

export type SetupProblem = 'file' | 'no-python' | 'no-numpy' | 'import' | 'timeout' | 'flood' | 'crashed' | 'nothing' | 'cancelled';

/** The check could not be made; the message says why and what to do. */
export class CheckSetupError extends Error {
  override name = 'CheckSetupError';
  constructor(readonly problem: SetupProblem, message: string, readonly file?: string, readonly line?: number) {
    super(message);
  }
}

export interface HarnessOptions {
  /** An interpreter; by default python3, then python, on PATH. */
  readonly python?: string;
  readonly timeLimitMs: number;
  /** Pieces to run (as the harness takes them), chosen once the module's names are known. */
  readonly choose: (names: Definitions) => { id: number; label: string }[];
  /** Ends the check and its whole process group at once: the window closes, or the extension stops. */
  readonly signal?: AbortSignal;
}

/** More than this much printing while the check runs is a flood: the check stops rather than wait for it. */
export const MAX_PRINTED_BYTES = 1 << 20;
const MAX_RESULT_BYTES = 64 << 20;
/** An allocation past this raises MemoryError in the student's code (where the platform can limit it). */
const MEMORY_BYTES = 4 * 1024 ** 3;
const HEAD_CHARS = 2000;

/** harness.py sits beside this module: engine/check/ in the sources, dist/ in the bundles. */
export function harnessPath(): string {
  return path.join(__dirname, 'harness.py');
}

function killTree(child: ChildProcessWithoutNullStreams): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  if (process.platform === 'win32') spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true });
  else {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}

/** Runs the harness on `file`, trying python3 then python unless an interpreter is named. */
export async function runHarness(file: string, options: HarnessOptions): Promise<HarnessRun> {
  const absolute = path.resolve(file);
  try {
    if (!fs.statSync(absolute).isFile()) throw new Error('not a file');
  } catch (e) {
    throw new CheckSetupError('file', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Name a Python file of your homework.`, absolute);
  }
  const candidates = options.python ? [options.python] : ['python3', 'python'];
  for (const python of candidates) {
    const run = await runWith(python, absolute, options);
    if (run !== 'not-found') return run;
  }
  throw new CheckSetupError(
    'no-python',
    options.python
      ? `the Python interpreter ${options.python} was not found. Name one that exists (in VS Code: select it in the Python extension, or set backpropLens.pythonPath).`
      : 'no Python found: tried python3 and python on PATH. Install Python 3 with NumPy, or name your interpreter with --python PATH (in VS Code: select it in the Python extension, or set backpropLens.pythonPath).',
  );
}

interface Progress {
  hello: { python: string; executable: string } | null;
  numpy: string | null;
  names: Definitions | null;
  running: number | null;
  /** The student's function that runs now, as the harness names it. */
  calling: string | null;
  /** The pieces sent to the harness, each with its `id` and `label`. */
  chosen: { id: number; label: string }[];
  results: Map<number, Values>;
  done: boolean;
  fatal: Record<string, unknown> | null;
}

function runWith(python: string, file: string, options: HarnessOptions): Promise<HarnessRun | 'not-found'> {
  const base = path.basename(file);
  return new Promise((resolve, reject) => {
    const child = spawn(python, [harnessPath()], {
      cwd: path.dirname(file),
      // One BLAS thread: the numbers are tiny, and the time limit should time the student's code.
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const state: Progress = { hello: null, numpy: null, names: null, running: null, calling: null, chosen: [], results: new Map(), done: false, fatal: null };
    let printed = 0, head = '', tail = '', buffered = '', resultBytes = 0, settled = false;
    const finish = (outcome: HarnessRun | 'not-found' | CheckSetupError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killTree(child);
      if (outcome instanceof CheckSetupError) reject(outcome);
      else resolve(outcome);
    };
    /** What was going on, for a message: "importing neural_networks.py" or "running relu.backward". */
    const stage = (): string => (state.names ? `running ${runningName(state)}` : `importing ${base}`);
    const timer = setTimeout(() => {
      const seconds = options.timeLimitMs / 1000;
      finish(!state.names
        ? new CheckSetupError('timeout', `importing ${base} did not finish within ${seconds} s and was stopped. Code outside functions and classes runs on import: put it under if __name__ == "__main__":`, file)
        : new CheckSetupError('timeout', `${runningName(state)} did not return within ${seconds} s and was stopped: an endless loop? Fix it and check again.`, file));
    }, options.timeLimitMs);
    const cancel = (): void => finish(new CheckSetupError('cancelled', `the check of ${base} was cancelled before it ended: check again`, file));
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ENOENT' ? 'not-found' : new CheckSetupError('no-python', `could not start ${python}: ${e.message}`)));
    child.stdin.on('error', () => undefined); // the process may end before it reads the plan; 'close' reports why
    child.stdin.write(`${JSON.stringify({ file, memoryBytes: MEMORY_BYTES })}\n`);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      printed += Buffer.byteLength(chunk);
      if (head.length < HEAD_CHARS) head += chunk.slice(0, HEAD_CHARS - head.length);
      tail = (tail + chunk).slice(-4000);
      if (printed > MAX_PRINTED_BYTES) {
        const first = head.split('\n').find((l) => l.trim() !== '') ?? '';
        finish(new CheckSetupError('flood', `your code printed more than ${MAX_PRINTED_BYTES >> 20} MB while ${stage()}, so the check was stopped. Its first line was: ${JSON.stringify(first.slice(0, 120))}. Remove the print inside the loop and check again.`, file));
      }
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      resultBytes += chunk.length;
      if (resultBytes > MAX_RESULT_BYTES) return finish(new CheckSetupError('crashed', `the harness sent more than ${MAX_RESULT_BYTES >> 20} MB of results; this is a bug of Backprop Lens, please report it.`));
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          onEvent(JSON.parse(line));
        } catch (e) {
          finish(e instanceof CheckSetupError ? e : new CheckSetupError('crashed', `the harness sent a line that is not JSON (${line.slice(0, 80)}); this is a bug of Backprop Lens, please report it.`));
        }
      }
    });
    const onEvent = (event: Record<string, unknown>): void => {
      switch (event.event) {
        case 'hello': state.hello = { python: String(event.python), executable: String(event.executable) }; return;
        case 'numpy': state.numpy = String(event.version); return;
        case 'fatal': state.fatal = event; return;
        case 'module': {
          state.names = event.names as Definitions;
          try {
            state.chosen = options.choose(state.names);
          } catch (e) {
            child.stdin.end('[]\n');
            throw e;
          }
          child.stdin.end(`${JSON.stringify(state.chosen)}\n`);
          return;
        }
        case 'start': state.running = Number(event.id); return;
        case 'calling': state.calling = String(event.name); return;
        case 'result': state.results.set(Number(event.id), event.values as Values); state.running = state.calling = null; return;
        case 'done': state.done = true; return;
      }
    };
    child.on('close', (code, signal) => {
      if (settled) return;
      const who = state.hello ? `${state.hello.executable} (Python ${state.hello.python})` : python;
      if (state.done && state.hello && state.numpy && state.names) {
        return finish({ python: { executable: state.hello.executable, version: state.hello.python, numpy: state.numpy }, names: state.names, results: state.results, printed: { bytes: printed, head } });
      }
      if (state.fatal) return finish(fatalError(state.fatal, who, python, file));
      if (!state.hello) {
        return finish(new CheckSetupError('no-python', `${python} could not run the Backprop Lens harness: is it Python 3.6 or newer? It said: ${tail.trim().split('\n').slice(-3).join(' ') || `exit code ${code}`}`));
      }
      const how = signal ? `was ended by ${signal}` : `exited with code ${code}`;
      finish(new CheckSetupError('crashed', `Python ${how} while ${stage()}: does your code call exit() or os._exit()? ${tail.trim().split('\n').slice(-2).join(' ')}`.trim(), file));
    });
  });
}

/** The student's name of the piece that was running, as the report would name it. */
function runningName(state: Progress): string {
  return state.calling ?? state.chosen.find((p) => p.id === state.running)?.label ?? 'your code';
}

function fatalError(fatal: Record<string, unknown>, who: string, python: string, file: string): CheckSetupError {
  if (fatal.kind === 'numpy') {
    return new CheckSetupError('no-numpy', `NumPy is not installed for ${who}. Install it with: ${python} -m pip install numpy (${String(fatal.message)})`);
  }
  const at = typeof fatal.file === 'string' ? fatal.file : file;
  const line = typeof fatal.line === 'number' ? fatal.line : undefined;
  const where = `${path.basename(at)}${line ? ` line ${line}` : ''}`;
  return new CheckSetupError('import', `${where}: ${String(fatal.type)}: ${String(fatal.message)}. ${path.basename(file)} could not be imported; fix this and check again.`, at, line);
}
