/**
 * The parts of D3 the panel draws with, each from its own D3 module rather than the
 * whole of `d3`: the views import this as `d3`.
 */
export { bin, bisectLeft, extent, group, max, maxIndex, min, range, sum, ticks, type Bin } from 'd3-array';
export { axisBottom, axisLeft, type Axis } from 'd3-axis';
export { rgb } from 'd3-color';
export { format } from 'd3-format';
export { interpolateRgb, piecewise } from 'd3-interpolate';
export { scaleBand, scaleLinear, scaleLog, type NumberValue, type ScaleLinear } from 'd3-scale';
export { pointer, select, type Selection } from 'd3-selection';
export { line } from 'd3-shape';
