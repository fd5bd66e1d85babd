import type { Splits } from './dataset';
import { loadEmbeddedSplits } from './mnist';
import { loadIdxFolder } from './idx';

/** The data of a run: a folder of IDX files, or the embedded digits when none is given. */
export function loadSplits(folder?: string): Splits {
  return folder ? loadIdxFolder(folder) : loadEmbeddedSplits();
}
