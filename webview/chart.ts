import * as d3 from './d3';
import { element } from './dom';
import { CHART_IDS, type ChartId } from '../engine/protocol';

/** The event a chart's Export button sends up the page, with the chart's id. */
export const EXPORT_EVENT = 'export-chart';

function isChartId(id: string): id is ChartId {
  return (CHART_IDS as readonly string[]).includes(id);
}

/**
 * The frame every view draws in: a heading, an SVG with an accessible name, and a
 * button that shows the same numbers as a table, the charts' text alternative.
 */
export class ChartFrame {
  readonly root = element('section', 'view');
  readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  readonly controls = element('div', 'view-controls');
  private readonly table = element('table', 'data-table');
  private readonly tableToggle = element('vscode-button' as 'button', undefined, 'Table');
  private tableRows: () => (string | number)[][] = () => [];
  private tableHead: string[] = [];
  /** The section's width as the last resize reported it: reading clientWidth while drawing would force a layout. */
  private measured = 0;

  constructor(id: string, title: string, description: string) {
    this.root.id = id;
    const header = element('div', 'view-header');
    const heading = element('h2', undefined, title);
    heading.id = `${id}-title`;
    this.tableToggle.setAttribute('appearance', 'icon');
    this.tableToggle.setAttribute('aria-label', `Show ${title} as a table`);
    this.tableToggle.setAttribute('title', 'Show as a table');
    this.tableToggle.addEventListener('click', () => this.showTable(this.table.hidden));
    header.append(heading, this.controls, this.tableToggle);
    if (isChartId(id)) header.append(this.exportButton(id, title));
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg = d3.select(svg).attr('role', 'img').attr('aria-labelledby', heading.id).attr('aria-description', description);
    this.table.hidden = true;
    this.table.setAttribute('aria-label', title);
    this.root.append(header, svg, this.table);
    new ResizeObserver((entries) => {
      this.measured = entries[0].contentRect.width;
    }).observe(this.root);
  }

  /** Export: the panel (main.ts) hears the event and sends the chart to the host, which asks SVG or PNG and where. */
  private exportButton(id: ChartId, title: string): HTMLElement {
    const button = element('vscode-button' as 'button', undefined, 'Export');
    button.setAttribute('appearance', 'icon');
    button.setAttribute('aria-label', `Export ${title} as SVG or PNG`);
    button.setAttribute('title', 'Export as SVG or PNG');
    button.addEventListener('click', () => this.root.dispatchEvent(new CustomEvent<ChartId>(EXPORT_EVENT, { detail: id, bubbles: true })));
    return button;
  }

  /** Width available to the chart, from its section (which follows the panel's width). */
  get width(): number {
    this.measured ||= this.root.clientWidth;
    return Math.max(160, this.measured || 300);
  }

  /** What the table alternative shows; it is filled only while it is open. */
  setTable(head: string[], rows: () => (string | number)[][]): void {
    this.tableHead = head;
    this.tableRows = rows;
    if (!this.table.hidden) this.fillTable();
  }

  showTable(open: boolean): void {
    this.table.hidden = !open;
    this.tableToggle.textContent = open ? 'Chart' : 'Table';
    (this.svg.node() as SVGSVGElement).style.display = open ? 'none' : '';
    if (open) this.fillTable();
  }

  private fillTable(): void {
    const head = element('tr');
    for (const h of this.tableHead) head.append(element('th', undefined, h));
    const rows = this.tableRows().map((r) => {
      const tr = element('tr');
      for (const cell of r) tr.append(element('td', undefined, typeof cell === 'number' ? format(cell) : cell));
      return tr;
    });
    this.table.replaceChildren(head, ...rows);
  }
}

export function format(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(3) : x.toFixed(4);
}
