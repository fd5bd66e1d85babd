import katex from 'katex';

/**
 * Typesets TeX into an element. katex.render builds DOM nodes and sets their
 * styles through the CSSOM, which the webview's CSP allows (an HTML string with
 * style attributes would be refused). The TeX stays on the element, for copying
 * and for tests; a formula KaTeX cannot read is shown as its TeX.
 */
export function typeset(target: HTMLElement, tex: string, display = true): void {
  if (target.dataset.tex === tex) return;
  target.dataset.tex = tex;
  try {
    katex.render(tex, target, { displayMode: display, throwOnError: true, output: 'htmlAndMathml' });
  } catch {
    target.textContent = tex;
  }
}
