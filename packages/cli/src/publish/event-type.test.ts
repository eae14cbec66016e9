import type { TopicSpec } from '@troupe/kit/internal';
import { closeMatches, keyFor, routeFor, unknownEventTypeMessage } from './event-type';

const known = [
  'troupe.alerts.AlertRaised',
  'troupe.releases.Promoted',
  'troupe.releases.ReleaseRequested',
  'troupe.releases.TestsFailed',
  'troupe.releases.TestsPassed',
];

const topics: TopicSpec[] = [
  {
    name: 'releases.events',
    partitions: 6,
    key: 'releaseId',
    config: {},
    eventTypes: known.slice(1),
  },
  { name: 'releases.audit', partitions: 1, config: {}, eventTypes: ['troupe.releases.Promoted'] },
  { name: 'alerts.events', partitions: 3, key: 'releaseId', config: {}, eventTypes: [known[0]!] },
];

describe('unknown event types', () => {
  it.each([
    ['troupe.releases.ReleaseRequestd', ['troupe.releases.ReleaseRequested']],
    ['ReleaseRequested', ['troupe.releases.ReleaseRequested']],
    ['troupe.releases.releaserequested', ['troupe.releases.ReleaseRequested']],
    ['troupe.releases.TestPassed', ['troupe.releases.TestsPassed']],
    ['troupe.billing.InvoiceSent', []],
  ])('%s is close to %j', (wanted, close) => {
    expect(closeMatches(wanted, known)).toEqual(close);
  });

  it('suggests the close matches, else lists the known types', () => {
    expect(unknownEventTypeMessage('troupe.releases.Promotd', known)).toBe(
      'unknown event type "troupe.releases.Promotd": did you mean troupe.releases.Promoted?',
    );
    expect(unknownEventTypeMessage('x.Y', known)).toBe(
      `unknown event type "x.Y": the known event types are ${known.join(', ')}`,
    );
  });
});

describe('routing and keys', () => {
  it("routes a type to the first topic listing it, keyed by that topic's key field", () => {
    expect(routeFor('troupe.releases.Promoted', topics, undefined, 'topics.json')).toEqual({
      topic: 'releases.events',
      keyField: 'releaseId',
    });
    expect(routeFor('troupe.releases.Promoted', topics, 'releases.audit', 'topics.json')).toEqual({
      topic: 'releases.audit',
    });
    expect(() => routeFor('troupe.x.Unrouted', topics, undefined, 'schemas/topics.json')).toThrow(
      'no topic in schemas/topics.json lists troupe.x.Unrouted in its eventTypes: add it there, or pass --topic <topic>',
    );
  });

  it('takes --key, else the key field of the payload', () => {
    const route = { topic: 'releases.events', keyField: 'releaseId' };
    expect(keyFor(route, { releaseId: 'r-1' }, undefined, 'topics.json')).toBe('r-1');
    expect(keyFor(route, { releaseId: 'r-1' }, 'other', 'topics.json')).toBe('other');
    expect(() => keyFor(route, { releaseId: '' }, undefined, 'topics.json')).toThrow(
      'the key of releases.events is the payload\'s releaseId (topics.json): expected a non-empty string there, found ""; or pass --key <key>',
    );
    expect(() => keyFor({ topic: 'releases.audit' }, {}, undefined, 'topics.json')).toThrow(
      'topic releases.audit names no key field in topics.json: pass --key <key>',
    );
  });
});
