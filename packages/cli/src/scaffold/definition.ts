import type { ServiceNames } from './names';

/** src/<name>.ts: the service's definition, typed by the generated EventTypes. */
export function definitionSource(names: ServiceNames): string {
  const { name, topic, identifier, idField, requested, answered } = names;
  return `import type { EventTypes } from '@troupe/contracts';
import { defineService } from '@troupe/kit';

/** ${requested.short} → ${answered.short}, on the request's key. */
export const ${identifier} = defineService<EventTypes>()({
  name: '${name}', // consumer group and CloudEvents source
  topics: ['${topic}'],
  publishes: { '${answered.type}': '${topic}' },
  consumes: {
    '${requested.type}': async (request, ctx) => {
      // ctx.log: a pino child logger carrying the event id, correlation id and causation id
      ctx.log.info({ ${idField}: request.${idField} }, 'answering');
      await ctx.publish(
        '${answered.type}',
        {
          ${idField}: request.${idField},
          reply: \`you said: \${request.text}\`,
          answeredAt: new Date(),
        },
        { key: request.${idField} },
      );
    },
  },
});
`;
}
