import type { ChoreographyGraph } from './choreography-graph';
import {
  FONT,
  layoutGraph,
  type GraphLayout,
  type PlacedEdge,
  type PlacedNode,
} from './svg-layout';

const STYLE = [
  '.topic rect{fill:#f6f8fa;stroke:#8c959f;stroke-dasharray:4 3}',
  '.topic text{fill:#57606a;font-size:10px}',
  '.service rect{fill:#ddf4ff;stroke:#0969da;stroke-width:1.5}',
  '.event rect{fill:#ffffff;stroke:#6e7781}',
  '.node text{fill:#1f2328}',
  '.edge path{fill:none;stroke:#57606a;stroke-width:1.2}',
  '.edge.publisher path{stroke-dasharray:5 4}',
  '.edge text{fill:#57606a;font-size:10px}',
].join('');

/**
 * The graph as a self-contained SVG (no scripts, no external fonts or styles), laid out by ELK:
 * services as blue boxes, event types as rounded boxes inside a dashed box per topic, each with
 * its full name as a tooltip (`<title>`); publishes through a Publisher or outbox dashed.
 */
export async function renderSvg(graph: ChoreographyGraph): Promise<string> {
  return svgOf(await layoutGraph(graph));
}

export function svgOf(layout: GraphLayout): string {
  const width = round(layout.width);
  const height = round(layout.height);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT.family}" font-size="${FONT.size}">`,
    '<title>The choreography (troupe graph)</title>',
    `<style>${STYLE}</style>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#57606a"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const topic of layout.topics)
    parts.push(
      `<g class="topic"><title>topic ${escape(topic.topic)}</title>` +
        `<rect x="${round(topic.x)}" y="${round(topic.y)}" width="${round(topic.width)}" height="${round(topic.height)}" rx="6"/>` +
        `<text x="${round(topic.x + 10)}" y="${round(topic.y + 16)}">${escape(topic.label)}</text></g>`,
    );
  for (const edge of layout.edges) parts.push(edgeOf(edge));
  for (const node of layout.nodes) parts.push(nodeOf(node));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function nodeOf(placed: PlacedNode): string {
  const radius = placed.kind === 'event' ? placed.height / 2 : 3;
  return (
    `<g class="node ${placed.kind}"><title>${escape(placed.node.title)}</title>` +
    `<rect x="${round(placed.x)}" y="${round(placed.y)}" width="${round(placed.width)}" height="${round(placed.height)}" rx="${round(radius)}"/>` +
    `<text x="${round(placed.x + placed.width / 2)}" y="${round(placed.y + placed.height / 2)}" text-anchor="middle" dominant-baseline="central">${escape(placed.node.label)}</text></g>`
  );
}

function edgeOf(edge: PlacedEdge): string {
  const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join('');
  const label = edge.label
    ? `<text x="${round(edge.label.x)}" y="${round(edge.label.y + edge.label.height - 2)}">${escape(edge.label.text)}</text>`
    : '';
  return `<g class="edge ${edge.kind}"><path d="${d}" marker-end="url(#arrow)"/>${label}</g>`;
}

const round = (n: number) => Math.round(n * 10) / 10;

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
