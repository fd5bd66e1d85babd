import { DataFileError } from '../data/idx';
import { EXIT } from './exit';
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
  check   check your homework's layers against the reference (npm run check -- FILE.py)

Exit codes: 0 done; 1 an internal error (a bug of ours); 2 bad input (a flag, a data
file, a network spec); 3 a diverged run (train). check: 1 also means a check failed.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    console.error(command === undefined || command === '--help' ? USAGE : `unknown command "${command}"\n\n${USAGE}`);
    return command === '--help' ? EXIT.done : EXIT.badInput;
  }
  try {
    return await run(rest);
  } catch (e) {
    // Bad input is the user's to fix: a message, never a stack trace.
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n(see --help)`);
      return EXIT.badInput;
    }
    if (e instanceof DataFileError) {
      console.error(`error: ${e.message}`);
      return EXIT.badInput;
    }
    console.error(e instanceof Error ? e.stack : String(e));
    console.error(`\nThis is a bug in Backprop Lens, not a problem with your input: please report it with the lines above and the command (${command} ${rest.join(' ')}).`);
    return EXIT.internal;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
