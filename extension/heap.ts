import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * This thread's JavaScript heap in use after a full collection, so that the
 * figure is what stays, not what waits to be collected. The flag that exposes
 * gc() is set only for this call's new context.
 */
export function heapAfterCollection(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return v8.getHeapStatistics().used_heap_size;
}
