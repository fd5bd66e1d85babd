import * as d3 from './d3';

/**
 * Colours come from VS Code's theme variables, read when drawing, so that every
 * chart follows light, dark and high-contrast themes. Blue against orange stays
 * distinct for the common colour-vision deficiencies.
 */
export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly background: string;
  readonly border: string;
  readonly negative: string;
  readonly positive: string;
  readonly highlight: string;
  readonly error: string;
  /** One colour per series. */
  readonly series: readonly string[];
  /** Diverging colours centred on the background at 0, for values in [-1, 1]. */
  diverging(t: number): string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

let cached: Theme | null = null;

/** The current theme; read from the page's styles once, until the theme changes. */
export function readTheme(): Theme {
  cached ??= computeTheme();
  return cached;
}

function computeTheme(): Theme {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => cssVar(style, name, fallback);
  const background = v('--vscode-sideBar-background', v('--vscode-editor-background', '#1e1e1e'));
  const negative = v('--vscode-charts-blue', '#3794ff');
  const positive = v('--vscode-charts-orange', '#d18616');
  const interpolate = d3.piecewise(d3.interpolateRgb, [negative, background, positive]);
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    background,
    border: v('--vscode-panel-border', v('--vscode-contrastBorder', '#80808059')),
    negative,
    positive,
    highlight: v('--vscode-focusBorder', '#007fd4'),
    error: v('--vscode-errorForeground', '#f14c4c'),
    series: [positive, negative, v('--vscode-charts-green', '#89d185'), v('--vscode-charts-purple', '#b180d7'), v('--vscode-charts-red', '#f14c4c'), v('--vscode-charts-yellow', '#cca700')],
    diverging: (t) => interpolate((Math.max(-1, Math.min(1, t)) + 1) / 2),
  };
}

/** Calls `redraw` whenever VS Code switches theme (it changes the body's class). */
export function onThemeChange(redraw: () => void): void {
  new MutationObserver(() => {
    cached = null;
    redraw();
  }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
