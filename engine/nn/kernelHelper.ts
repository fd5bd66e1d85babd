/** The entry of the kernels' helper thread (dist/kernelHelper.js): see wasmThreads.ts. */
import { workerData } from 'node:worker_threads';
import { instantiate } from './wasmKernels';
import { serveParts, type HelperData } from './wasmThreads';

serveParts(workerData as HelperData, instantiate);
