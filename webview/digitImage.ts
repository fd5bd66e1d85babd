/**
 * A drawing made into an MNIST digit the way the MNIST digits were made: the
 * ink's bounding box scaled (aspect kept) to fit a 20 x 20 box, each pixel the
 * mean ink over the area it covers (anti-aliasing), then placed in a 28 x 28
 * image so that its centre of mass falls on the image's centre. Pure, so that
 * the tests can give it exact rasters.
 */

export const SIDE = 28;
const BOX = 20;

/**
 * The 28 x 28 image (row-major, values in [0, 1]) of a raster of ink
 * (`width` x `height`, row-major, values in [0, 1]); null when it has no ink.
 */
export function mnistImage(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  const box = inkBox(ink, width, height);
  if (!box) return null;
  const scale = BOX / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale)), h = Math.max(1, Math.round(box.height * scale));
  const columns = areaWeights(box.width, w), rows = areaWeights(box.height, h);
  // small = rows . ink[box] . columns^T: the area means, separable.
  const small = new Float64Array(w * h);
  for (let r = 0; r < h; r++) {
    for (const [sy, wy] of rows[r]) {
      const line = (box.top + sy) * width + box.left;
      for (let c = 0; c < w; c++) {
        let sum = 0;
        for (const [sx, wx] of columns[c]) sum += wx * ink[line + sx];
        small[r * w + c] += wy * sum;
      }
    }
  }
  const [cx, cy] = centreOfMass(small, w, h);
  const left = clamp(Math.round(SIDE / 2 - cx), 0, SIDE - w), top = clamp(Math.round(SIDE / 2 - cy), 0, SIDE - h);
  const image = new Float32Array(SIDE * SIDE);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) image[(top + r) * SIDE + left + c] = Math.min(1, small[r * w + c]);
  }
  return image;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** The smallest rectangle holding every pixel with ink. */
function inkBox(ink: ArrayLike<number>, width: number, height: number): Box | null {
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!(ink[y * width + x] > 0)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = y;
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * For each of `to` bins cut evenly from `from` pixels, the pixels it covers and
 * the share of the bin each covers: a bin's value is the mean over its area.
 */
function areaWeights(from: number, to: number): [number, number][][] {
  const size = from / to;
  return Array.from({ length: to }, (_, t) => {
    const start = t * size, end = start + size, weights: [number, number][] = [];
    for (let k = Math.floor(start); k < Math.min(from, Math.ceil(end)); k++) {
      const overlap = Math.min(end, k + 1) - Math.max(start, k);
      if (overlap > 0) weights.push([k, overlap / size]);
    }
    return weights;
  });
}

/** The centre of mass (x, y) of an image, pixel (c, r) counted at its centre (c + 1/2, r + 1/2). */
function centreOfMass(image: ArrayLike<number>, w: number, h: number): [number, number] {
  let mass = 0, x = 0, y = 0;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const m = image[r * w + c];
      mass += m;
      x += m * (c + 0.5);
      y += m * (r + 0.5);
    }
  }
  return [x / mass, y / mass];
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
