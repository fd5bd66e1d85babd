/** Words about a check result that the command line and the panel both use; no Node imports, so the webview can bundle it. */
import type { CheckResult } from './report';

export function number(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x);
}

/** What a backward check's numerical gradient says: is the forward or the backward wrong? */
export function ownForwardText(c: CheckResult): string | null {
  if (!c.ownForward || c.ok) return null;
  return c.ownForward.ok
    ? 'your backward is the derivative of your own forward: the forward pass is what differs'
    : `your backward does not match your own forward either (numerical gradient of your forward: max relative error ${number(c.ownForward.maxRelError ?? NaN)})`;
}
