import {
  GRAPH_BEGIN,
  GRAPH_END,
  GRAPH_READMES,
  graphReadmes,
  withGraphSection,
} from './readme-section';

describe.each(GRAPH_READMES)('%s', (file) => {
  it('shows the choreography as npm run docs:graph draws it from troupe.config.ts now', async () => {
    const readme = (await graphReadmes()).find((r) => r.file === file)!;
    if (readme.current !== readme.generated) {
      const lines = readme.current.split('\n');
      const at = readme.generated.split('\n').findIndex((line, i) => line !== lines[i]);
      throw new Error(
        `${file} is stale: run npm run docs:graph (first difference at line ${at + 1})`,
      );
    }
  });
});

describe('withGraphSection', () => {
  it('replaces what is between the markers and keeps the rest', () => {
    const readme = `# Title\n\n${GRAPH_BEGIN}\nold picture\n${GRAPH_END}\n\n| table |\n`;
    expect(withGraphSection(readme, 'flowchart LR\n  a --> b\n', 'README.md')).toBe(
      `# Title\n\n${GRAPH_BEGIN}\n\n\`\`\`mermaid\nflowchart LR\n  a --> b\n\`\`\`\n\n${GRAPH_END}\n\n| table |\n`,
    );
  });

  it('names the file when the markers are missing', () => {
    expect(() => withGraphSection('# Title\n', 'flowchart LR\n', 'README.md')).toThrow(
      /^README\.md: expected the markers <!-- troupe graph: begin/,
    );
  });
});
