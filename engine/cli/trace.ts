import * as fs from 'node:fs';
import { formatPath, parseSpec } from '../spec/spec';
import { buildSpecRun, traceStep } from '../spec/specRun';
import { UsageError } from './args';
import { EXIT } from './exit';
import { grouped, LIMITS } from '../limits';

export const TRACE_USAGE = `Usage: npm run trace -- FILE.mlp.json   (or: node dist/cli.js trace FILE.mlp.json)

Runs one training step of a network spec in float64 and prints every number as JSON:
forward outputs, probabilities (softmax loss), loss, data loss, penalty, the backward
pass from the last layer (dW includes lambda W), and the updated weights.
A file with problems gets one line per problem, with its JSON path, and exit code 2;
a step whose numbers become NaN or infinite is printed, its message goes to stderr, and
the exit code is 3.`;

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

export function trace(argv: string[]): number {
  if (argv.includes('--help')) {
    console.log(TRACE_USAGE);
    return EXIT.done;
  }
  const [file, ...extra] = argv;
  if (!file || extra.length > 0) throw new UsageError('trace takes exactly one FILE.mlp.json');
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > LIMITS.specBytes) throw new UsageError(`${file}: ${grouped(size)} bytes, more than the limit of ${grouped(LIMITS.specBytes)} for a network spec`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { spec, problems } = parseSpec(text);
  if (!spec) {
    for (const p of problems) {
      const { line, column } = lineAndColumn(text, p.offset);
      console.error(`${file}:${line}:${column}: ${formatPath(p.path)}: ${p.message}`);
    }
    return EXIT.badInput;
  }
  const result = traceStep(buildSpecRun(spec));
  console.log(JSON.stringify(result));
  if (result.divergence) console.error(`${file}: ${result.divergence.message}`);
  return result.divergence ? EXIT.diverged : EXIT.done;
}
