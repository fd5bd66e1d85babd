import { parseArgs } from 'node:util';
import { STYLES, type Style } from '../check/pieces';
import { checkFile, DEFAULT_TIME_LIMIT_MS, exitCode, formatReport, reportJson } from '../check/report';
import { CheckSetupError } from '../check/python';
import { UsageError } from './args';
import { EXIT } from './exit';

export const CHECK_USAGE = `Usage: npm run check -- FILE.py [options]   (or: node dist/cli.js check FILE.py)

Runs the layers of your homework (FILE.py, in your own Python with NumPy) on exact
numbers and compares every output and gradient with Backprop Lens's float64
reference. Each failure shows the first wrong entry and a hint at the mistake.

  --style NAME      csci567 | cs231n: the homework's shape (default: detected from the names FILE.py defines)
  --python PATH     the Python interpreter (default: python3, then python, on PATH)
  --time-limit S    seconds your code may run before it is stopped (default ${DEFAULT_TIME_LIMIT_MS / 1000})
  --json            one JSON object instead of the readable report
  --help            this text

Exit codes: 0 every check passed, 1 a check failed, 2 it could not check (no Python,
no NumPy, an error on import, a piece that raised or returned no array, a time-out).`;

interface CheckArgs {
  readonly file: string;
  readonly style?: Style;
  readonly python?: string;
  readonly timeLimitMs: number;
  readonly json: boolean;
}

function parseCheckArgs(argv: string[]): CheckArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, strict: true, allowPositionals: true,
      options: { style: { type: 'string' }, python: { type: 'string' }, 'time-limit': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError('check takes exactly one FILE.py');
  const style = values.style;
  if (style !== undefined && !(STYLES as readonly string[]).includes(style)) throw new UsageError(`--style takes ${STYLES.join(' or ')} (got "${style}")`);
  const seconds = values['time-limit'] === undefined ? DEFAULT_TIME_LIMIT_MS / 1000 : Number(values['time-limit']);
  if (!(seconds > 0 && seconds <= 3600)) throw new UsageError(`--time-limit takes seconds in (0, 3600] (got "${values['time-limit']}")`);
  return { file: positionals[0], style: style as Style | undefined, python: values.python, timeLimitMs: seconds * 1000, json: values.json ?? false };
}

export async function check(argv: string[]): Promise<number> {
  const args = parseCheckArgs(argv);
  if (args === 'help') {
    console.log(CHECK_USAGE);
    return EXIT.done;
  }
  try {
    const report = await checkFile(args.file, args);
    console.log(args.json ? JSON.stringify(reportJson(report)) : formatReport(report));
    return exitCode(report);
  } catch (e) {
    if (!(e instanceof CheckSetupError)) throw e;
    if (args.json) console.log(JSON.stringify({ error: e.problem, message: e.message, file: e.file ?? null, line: e.line ?? null }));
    console.error(`error: ${e.message}`);
    return EXIT.badInput;
  }
}
