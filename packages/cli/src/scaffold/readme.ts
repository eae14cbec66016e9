import type { ServiceNames } from './names';

/** services/<name>/README.md: what it does, and how to test, run, publish to and trace it. */
export function readmeSource(names: ServiceNames): string {
  const { name, topic, idField, requested, answered, domain } = names;
  const example = JSON.stringify({
    [idField]: 'request-1',
    text: 'hello',
    requestedAt: '2026-01-01T12:00:00.000Z',
  });
  return `# ${name}

Consumes \`${requested.type}\` from \`${topic}\` and answers each with \`${answered.type}\` on
the same topic, keyed by \`${idField}\`. Its contracts are \`schemas/${domain}/\`; the topic is in
\`schemas/topics.json\`; \`npx troupe schemas generate\` regenerates their types after an edit.

Every command below runs from the project root.

## Test it

\`\`\`sh
npx jest services/${name}          # src/${name}.test.ts: the service on the in-memory driver, no broker
\`\`\`

## Run it

Against a running stack (\`export $(npm run -s stack:up)\` sets the \`TROUPE_*\` settings):

\`\`\`sh
npx troupe topics apply            # creates ${topic}, as schemas/topics.json says
npx troupe schemas register        # registers every schema with the registry
npx tsx services/${name}/src/main.ts   # or: npm start -w services/${name}
\`\`\`

## Publish to it

\`\`\`sh
npx troupe publish ${requested.type} --json '${example}'
\`\`\`

## Trace it

With the published event's correlation id, the request and the answer it caused:

\`\`\`sh
npx troupe trace <correlation id>
\`\`\`
`;
}
