import { readTheme } from './theme';

/** Pixels per SVG unit in an exported PNG: crisp on a slide. */
const PNG_SCALE = 2;

/**
 * A chart as files: a standalone SVG document (the page's fonts and colours
 * written into it, on the theme's background) and the same as a PNG, base64.
 */
export async function chartFiles(chart: SVGSVGElement): Promise<{ svg: string; png: string }> {
  const t = readTheme(), box = chart.getBoundingClientRect();
  const width = Math.ceil(Number(chart.getAttribute('width')) || box.width), height = Math.ceil(Number(chart.getAttribute('height')) || box.height);
  const copy = chart.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const style = getComputedStyle(chart);
  // Presentation attributes, not a style attribute: the panel's CSP refuses inline styles.
  copy.setAttribute('font-family', style.fontFamily);
  copy.setAttribute('font-size', style.fontSize);
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  for (const [k, v] of [['width', '100%'], ['height', '100%'], ['fill', t.background]]) background.setAttribute(k, v);
  copy.insertBefore(background, copy.firstChild);
  const svg = new XMLSerializer().serializeToString(copy);
  return { svg, png: await rasterize(svg, width, height) };
}

/** An SVG document drawn on a canvas, as a base64 PNG. */
function rasterize(svg: string, width: number, height: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = width * PNG_SCALE;
      canvas.height = height * PNG_SCALE;
      const context = canvas.getContext('2d')!;
      context.scale(PNG_SCALE, PNG_SCALE);
      context.drawImage(image, 0, 0, width, height);
      resolve(canvas.toDataURL('image/png').slice('data:image/png;base64,'.length));
    };
    image.onerror = () => reject(new Error('the chart could not be drawn as an image'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}
