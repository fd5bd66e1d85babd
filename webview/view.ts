import type { RunRecord } from '../engine/train/runRecord';
import type { CheckOutcome, ConfusionCell, DigitOutcome, PinnedRun, Matrix, RunStatus, Snapshot } from '../engine/protocol';

/**
 * What every view of the panel may take from the host. main.ts keeps a list of
 * views and hands each message to every view that has the method for it, so a
 * new view is a new file and one entry in that list.
 */
export interface PanelView {
  /** Where it goes: above the charts, in the charts' grid, or below them. */
  readonly region: 'top' | 'charts' | 'bottom';
  readonly node: HTMLElement;
  /** Every snapshot, for histories; drawing waits for snapshot(). */
  record?(s: Snapshot): void;
  /** The newest snapshot, at most once per animation frame. */
  snapshot?(s: Snapshot): void;
  status?(s: RunStatus): void;
  /** A matrix some view asked for. */
  matrix?(m: Matrix): void;
  check?(c: CheckOutcome): void;
  /** What the network made of a drawn digit. */
  digit?(d: DigitOutcome): void;
  /** The current run's histories, when the panel opens after it began. */
  history?(r: RunRecord): void;
  /** The runs pinned for comparison, whenever they change. */
  pins?(p: PinnedRun[]): void;
  /** The validation digits of a cell of the confusion matrix that some view asked for. */
  confusionCell?(c: ConfusionCell): void;
  /** Draw again: the theme or the panel's width changed. */
  redraw?(): void;
}
