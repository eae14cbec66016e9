import type { SystemCatalog } from '@troupe/kit/internal';
import { choreographyGraph } from './choreography-graph';
import { renderDot } from './dot';
import { renderMermaid } from './mermaid';
import { renderSvg } from './svg';

/** The formats `troupe graph --format` draws, the first the default. */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** `text` as a GraphFormat, or an error naming the flag and listing the accepted values. */
export function parseGraphFormat(text: string): GraphFormat {
  if ((GRAPH_FORMATS as readonly string[]).includes(text)) return text as GraphFormat;
  throw new Error(`--format: expected one of ${GRAPH_FORMATS.join(', ')}, found "${text}"`);
}

/** The catalog drawn in `format`: text ending in a newline, the same for the same catalog. */
export async function renderGraph(catalog: SystemCatalog, format: GraphFormat): Promise<string> {
  const graph = choreographyGraph(catalog);
  switch (format) {
    case 'mermaid':
      return renderMermaid(graph);
    case 'dot':
      return renderDot(graph);
    case 'svg':
      return renderSvg(graph);
  }
}
