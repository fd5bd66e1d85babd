/**
 * The soak's extension host: the host side of a run (RunController and the
 * engine's worker) in a process of its own, as in VS Code, so that its RSS is
 * the host's and not the test driver's. It forwards what the panel would get to
 * its parent and answers the parent's requests; messages travel by structured
 * clone, typed arrays intact.
 */
import * as path from 'node:path';
import { DEFAULT_CONFIG, type HostMessage, type MatrixName } from '../../engine';
import { RunController } from '../../extension/runController';
import { heapAfterCollection } from '../../extension/heap';

/** What the driver asks of the host. */
export type HostRequest =
  | { readonly kind: 'start'; readonly updatesPerSecond: number }
  | { readonly kind: 'requestMatrix'; readonly layer: number; readonly name: MatrixName }
  | { readonly kind: 'measure' };

/** What the host sends the driver: messages for the panel, a measurement, or a failure. */
export type HostReport =
  | { readonly kind: 'panel'; readonly message: HostMessage }
  | { readonly kind: 'measured'; readonly workerHeap: number; readonly hostHeap: number; readonly rss: number }
  | { readonly kind: 'failed'; readonly message: string };

function main(): void {
  const send = (report: HostReport): void => void process.send!(report);
  const panel = (message: HostMessage): void => send({ kind: 'panel', message });
  const run = new RunController(path.join(__dirname, '../../dist/worker.js'), {
    status: (status) => panel({ type: 'status', status }),
    snapshot: (snapshot) => panel({ type: 'snapshot', snapshot }),
    epoch: () => {}, finished: () => {}, log: () => {},
    failed: (message) => send({ kind: 'failed', message: `the run failed during the soak: ${message}` }),
    diverged: (d) => send({ kind: 'failed', message: `the homework network diverged during the soak: ${d.message}` }),
  });
  process.on('message', (request: HostRequest) => {
    if (request.kind === 'start') run.start({ ...DEFAULT_CONFIG, epochs: 10000 }, { kind: 'embedded' }, { updatesPerSecond: request.updatesPerSecond });
    else if (request.kind === 'requestMatrix') void run.requestMatrix(request.layer, request.name).then((matrix) => matrix && panel({ type: 'matrix', matrix }));
    else {
      void run.measureMemory().then((workerHeap) => send({ kind: 'measured', workerHeap: workerHeap ?? NaN, hostHeap: heapAfterCollection(), rss: process.memoryUsage().rss }));
    }
  });
  process.on('disconnect', () => {
    run.dispose();
    process.exit(0);
  });
}

if (require.main === module) main();
