import * as d3 from './d3';
import { readTheme } from './theme';
import { SIDE } from './digitImage';

/**
 * Paints a 28 x 28 digit on a canvas of 28 x 28 pixels (scaled by CSS): its ink
 * on the theme's background and, where given, a saliency dL/dx over it on the
 * diverging scale, each pixel as opaque as its share of the largest |dL/dx|.
 */
export function paintDigit(canvas: HTMLCanvasElement, image: ArrayLike<number> | null, gradient: ArrayLike<number> | null = null): void {
  const t = readTheme(), context = canvas.getContext('2d')!, data = context.createImageData(SIDE, SIDE);
  const background = d3.rgb(t.background), ink = d3.interpolateRgb(t.background, t.foreground);
  const max = gradient ? d3.max(Array.from(gradient, Math.abs)) || 1 : 1;
  for (let p = 0; p < SIDE * SIDE; p++) {
    let c = image ? d3.rgb(ink(image[p])) : background;
    if (gradient) {
      const s = d3.rgb(t.diverging(gradient[p] / max)), a = Math.abs(gradient[p]) / max;
      c = d3.rgb(c.r + a * (s.r - c.r), c.g + a * (s.g - c.g), c.b + a * (s.b - c.b));
    }
    data.data.set([c.r, c.g, c.b, 255], 4 * p);
  }
  context.putImageData(data, 0, 0);
}

/** A canvas for paintDigit, with its accessible name. */
export function digitCanvas(className: string, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIDE;
  canvas.className = className;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}
