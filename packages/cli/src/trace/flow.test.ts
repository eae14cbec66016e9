import { buildFlow, type TraceEvent } from './flow';

let offset = 0;
function event(
  id: string,
  time: number,
  causationId?: string,
  topic = 'releases.events',
): TraceEvent {
  return {
    id,
    time,
    topic,
    partition: 0,
    offset: String(offset++),
    type: `test.${id}`,
    correlationId: 'flow',
    ...(causationId === undefined ? {} : { causationId }),
    value: null,
  };
}

const shape = (events: TraceEvent[]) =>
  buildFlow(events).map((e) => `${'  '.repeat(e.depth)}${e.event.id}${e.causeMissing ? '?' : ''}`);

describe('buildFlow', () => {
  it('orders a chain cause before effect, one level deeper each, whatever order it was read in', () => {
    const a = event('a', 100);
    const b = event('b', 200, 'a', 'alerts.events');
    const c = event('c', 300, 'b');
    expect(shape([c, a, b])).toEqual(['a', '  b', '    c']);
  });

  it('puts siblings under their cause in time order, each with its own effects', () => {
    expect(
      shape([
        event('root', 0),
        event('late', 50, 'root'),
        event('early', 10, 'root'),
        event('early-effect', 60, 'early'),
      ]),
    ).toEqual(['root', '  early', '    early-effect', '  late']);
  });

  it('follows causation, not clocks: an effect stamped before its cause still hangs under it', () => {
    expect(shape([event('cause', 100), event('effect', 90, 'cause')])).toEqual([
      'cause',
      '  effect',
    ]);
  });

  it('starts a root for an event whose cause was not found, and marks it', () => {
    expect(shape([event('a', 0), event('orphan', 5, 'gone')])).toEqual(['a', 'orphan?']);
  });

  it('breaks a causation loop instead of losing the events', () => {
    expect(shape([event('x', 0, 'y'), event('y', 1, 'x')])).toEqual(['y', '  x']);
    expect(shape([event('self', 0, 'self')])).toEqual(['self']);
  });

  it('hangs copies of one event (retry, dead letter) under its first delivery, with its effects, by time', () => {
    const first = event('e', 10, 'root');
    const retry = event('e', 20, 'root', 'releases.events.retry.1');
    const copy = event('e', 40, 'root', 'releases.events.dlq');
    const flow = buildFlow([event('root', 0), copy, retry, first, event('effect', 30, 'e')]);
    expect(flow.map((e) => `${'  '.repeat(e.depth)}${e.event.id} ${e.event.topic}`)).toEqual([
      'root releases.events',
      '  e releases.events',
      '    e releases.events.retry.1',
      '    effect releases.events',
      '    e releases.events.dlq',
    ]);
  });
});
