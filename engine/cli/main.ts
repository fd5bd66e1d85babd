import { DataFileError } from '../data/idx';
import { UsageError } from './args';
import { train } from './train';
import { bench } from './bench';
import { trace } from './trace';
import { check } from './check';

const COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = { train, bench, trace, check };

const USAGE = `Usage: node dist/cli.js <command> [options]

Commands:
  train   train the MLP headless (npm run train -- --help)
  bench   measure training speed (npm run bench -- --help)
  trace   one step of a network spec, every number, as JSON (npm run trace -- FILE.mlp.json)
  check   check your homework's layers against the reference (npm run check -- FILE.py)`;

/** Exit codes: 0 done; 1 unusable data (train), or a check that failed (check); 2 a mistake on the command line, or a file that could not be checked. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    console.error(command === undefined || command === '--help' ? USAGE : `unknown command "${command}"\n\n${USAGE}`);
    return command === '--help' ? 0 : 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n(see --help)`);
      return 2;
    }
    if (e instanceof DataFileError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
