import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { ChoreographyGraph, EdgeKind, GraphNode } from './choreography-graph';

/** Text metrics for the layout: no browser to measure with, so a width estimate per character. */
export const FONT = { family: 'Helvetica, Arial, sans-serif', size: 12, smallSize: 10 } as const;
const AVERAGE_CHAR_WIDTH = 0.6; // of the font size: generous for sans-serif, so text fits its box
const NODE_HEIGHT = 28;
const NODE_PADDING_X = 12;
const TOPIC_LABEL_HEIGHT = 18;

export function textWidth(text: string, size: number = FONT.size): number {
  return Math.ceil(text.length * size * AVERAGE_CHAR_WIDTH);
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode extends Box {
  node: GraphNode;
  kind: 'service' | 'event';
}

export interface PlacedTopic extends Box {
  label: string;
  topic: string;
}

export interface PlacedEdge {
  kind: EdgeKind;
  /** The route: start, bends, end. */
  points: { x: number; y: number }[];
  label?: { text: string } & Box;
}

export interface GraphLayout {
  width: number;
  height: number;
  topics: PlacedTopic[];
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  // Edges run between a service at the top level and an event type inside a topic.
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '16',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
  // Everything in the result in the root's coordinates.
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

const box = (label: string) => ({
  width: textWidth(label) + 2 * NODE_PADDING_X,
  height: NODE_HEIGHT,
});

/**
 * Lays the graph out with ELK's layered algorithm (left to right, topics as compound nodes).
 * Deterministic: ELK's layout is seeded, and the graph arrives sorted.
 */
export async function layoutGraph(graph: ChoreographyGraph): Promise<GraphLayout> {
  const kinds = new Map<string, { node: GraphNode; kind: PlacedNode['kind'] }>();
  const leaf = (node: GraphNode, kind: PlacedNode['kind']) => {
    kinds.set(node.id, { node, kind });
    return { id: node.id, ...box(node.label) };
  };
  const publisherLabel = 'publisher';
  const input: ElkNode = {
    id: 'choreography',
    layoutOptions: LAYOUT_OPTIONS,
    children: [
      ...graph.services.map((service) => leaf(service, 'service')),
      ...graph.topics.map((topic) => ({
        id: topic.id,
        layoutOptions: {
          'elk.padding': `[top=${TOPIC_LABEL_HEIGHT + 12},left=12,bottom=12,right=12]`,
          // Wide enough for its label.
          'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          'elk.nodeSize.minimum': `(${textWidth(topic.label, FONT.smallSize) + 24}, 0)`,
        },
        children: topic.events.map((event) => leaf(event, 'event')),
      })),
      ...graph.unplaced.map((event) => leaf(event, 'event')),
    ],
    edges: graph.edges.map((edge, index) => ({
      id: `edge${index}`,
      sources: [edge.from],
      targets: [edge.to],
      ...(edge.kind === 'publisher'
        ? {
            labels: [
              {
                text: publisherLabel,
                width: textWidth(publisherLabel, FONT.smallSize),
                height: FONT.smallSize + 2,
              },
            ],
          }
        : {}),
    })),
  };
  const result = await new ELK().layout(input);

  const nodes: PlacedNode[] = [];
  const topics: PlacedTopic[] = [];
  const place = (element: { x?: number; y?: number; width?: number; height?: number }): Box => ({
    x: element.x ?? 0,
    y: element.y ?? 0,
    width: element.width ?? 0,
    height: element.height ?? 0,
  });
  const topicById = new Map(graph.topics.map((t) => [t.id, t]));
  for (const child of result.children ?? []) {
    const topic = topicById.get(child.id);
    if (topic) {
      topics.push({ ...place(child), label: topic.label, topic: topic.topic });
      for (const event of child.children ?? [])
        nodes.push({ ...place(event), ...kinds.get(event.id)! });
    } else nodes.push({ ...place(child), ...kinds.get(child.id)! });
  }
  const edges = (result.edges ?? []).map((edge, index) => {
    const section = edge.sections?.[0];
    const points = section
      ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
      : [];
    const label = edge.labels?.[0];
    return {
      kind: graph.edges[index]!.kind,
      points,
      ...(label ? { label: { text: label.text ?? '', ...place(label) } } : {}),
    };
  });
  return { width: result.width ?? 0, height: result.height ?? 0, topics, nodes, edges };
}
