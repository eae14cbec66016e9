import { Writable } from 'node:stream';
import pino from 'pino';
import { BreakerRegistry } from '../breaker/breaker-registry';
import { createLogger } from '../observability/logger';
import { PermanentError } from '../errors';
import type { Envelope } from '../events/envelope';
import {
  BreakerOpenError,
  DeliveryAbortedError,
  HandlerTimeoutError,
  classifyFailure,
} from '../retry/classify';
import { DeadLetterHeaders, RetryHeaders, readDeliveryHistory } from '../retry/failure-headers';
import { FailureRouter } from '../retry/failure-router';
import { breakerMiddleware } from './breaker';
import { compose, defineMiddleware } from './compose';
import { deadLetterMiddleware } from './dead-letter';
import { retryMiddleware } from './retry';
import { timeoutMiddleware } from './timeout';
import type { EventContext, Handler, InboundEvent } from './types';

const silent = pino({ level: 'silent' });

function event(type = 'test.Happened'): InboundEvent {
  const headers = { ce_id: Buffer.from('e1') };
  const at = { topic: 't', partition: 0, offset: '5' };
  return {
    type,
    payload: { n: 1 },
    metadata: {
      id: 'e1',
      type,
      source: 's',
      time: new Date(0).toISOString(),
      correlationId: 'c1',
      key: 'k',
      ...at,
      headers,
    },
    history: readDeliveryHistory(headers, at),
    record: { key: Buffer.from('k'), value: Buffer.from('v'), headers },
  };
}

function context(): EventContext & { signal: AbortSignal } {
  return {
    service: 'svc',
    metadata: event().metadata,
    log: silent,
    signal: new AbortController().signal,
    abortCall(reason: unknown) {
      const controller = new AbortController();
      controller.abort(reason);
      this.signal = controller.signal;
    },
    attempts: 0,
    publish: async () => ({}) as Envelope,
    breaker: () => {
      throw new Error('not used');
    },
  };
}

/** A terminal handler counting calls, failing with the given errors first. */
function failing(...errors: unknown[]): Handler & { calls: number } {
  const handler = Object.assign(
    async (_event: InboundEvent, ctx: EventContext) => {
      handler.calls++;
      ctx.attempts++;
      if (errors.length > 0) throw errors.shift();
    },
    { calls: 0 },
  );
  return handler;
}

test('compose runs middleware outside-in, then the handler, and unwinds inside-out', async () => {
  const order: string[] = [];
  const trace = (name: string) =>
    defineMiddleware(name, (next) => async (e, ctx) => {
      order.push(`${name} in`);
      await next(e, ctx);
      order.push(`${name} out`);
    });
  const chain = compose(
    [trace('logging'), trace('metrics'), trace('retry')],
    async () => void order.push('handler'),
  );
  await chain(event(), context());
  expect(order).toEqual([
    'logging in',
    'metrics in',
    'retry in',
    'handler',
    'retry out',
    'metrics out',
    'logging out',
  ]);
});

describe('retry middleware', () => {
  const policy = { attempts: 3, baseMs: 1, maxMs: 5 };
  const draining = new AbortController().signal;

  test('fails twice, then succeeds: three calls, no error', async () => {
    const handler = failing(new Error('a'), 'not even an Error');
    const chain = compose(
      [retryMiddleware({ policy, classify: (e) => classifyFailure(e), draining })],
      handler,
    );
    await chain(event(), context());
    expect(handler.calls).toBe(3);
  });

  test('gives up after policy.attempts calls with the last error', async () => {
    const handler = failing(new Error('1'), new Error('2'), new Error('3'), new Error('4'));
    const chain = compose(
      [retryMiddleware({ policy, classify: (e) => classifyFailure(e), draining })],
      handler,
    );
    await expect(chain(event(), context())).rejects.toThrow('3');
    expect(handler.calls).toBe(3);
  });

  test('permanent and deferred errors are not retried', async () => {
    for (const error of [new PermanentError('bad'), new BreakerOpenError('dep')]) {
      const handler = failing(error);
      const chain = compose(
        [retryMiddleware({ policy, classify: (e) => classifyFailure(e), draining })],
        handler,
      );
      await expect(chain(event(), context())).rejects.toBe(error);
      expect(handler.calls).toBe(1);
    }
  });

  test('a stopping service ends the backoff with DeliveryAbortedError', async () => {
    const stop = new AbortController();
    const handler = failing(new Error('a'), new Error('b'));
    const chain = compose(
      [
        retryMiddleware({
          policy: { attempts: 5, baseMs: 10_000, maxMs: 10_000 },
          classify: (e) => classifyFailure(e),
          draining: stop.signal,
          random: () => 0.99,
        }),
      ],
      handler,
    );
    const running = chain(event(), context());
    setTimeout(() => stop.abort(), 20);
    await expect(running).rejects.toBeInstanceOf(DeliveryAbortedError);
    expect(handler.calls).toBe(1);
  });
});

test('timeout middleware fails slow calls and aborts their signal', async () => {
  const ctx = context();
  const slow: Handler = () => new Promise((resolve) => setTimeout(resolve, 1_000));
  const started = Date.now();
  const error = await compose([timeoutMiddleware(() => 50)], slow)(event(), ctx).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandlerTimeoutError);
  expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  expect(Date.now() - started).toBeLessThan(200);
  expect(ctx.signal.aborted).toBe(true);
  expect(ctx.signal.reason).toBe(error);
  await expect(
    compose([timeoutMiddleware(() => 0)], async () => undefined)(event(), ctx),
  ).resolves.toBeUndefined();
});

describe('dead-letter middleware', () => {
  function setup(delays: number[], draining?: AbortSignal) {
    const sent: { topic: string; headers: Record<string, string | Buffer> }[] = [];
    const router = new FailureRouter({
      service: 'svc',
      sender: {
        sendRaw: async (topic, messages) =>
          void sent.push({ topic, headers: messages[0]!.headers as Record<string, string> }),
      },
      topicDelaysMs: delays,
      now: () => new Date('2030-01-01T00:00:00.000Z'),
    });
    return { sent, mw: deadLetterMiddleware(router, { draining }) };
  }

  test('a retryable failure moves to the first retry topic and the delivery is settled', async () => {
    const { sent, mw } = setup([1_000]);
    const ctx = context();
    await compose([mw], failing(new Error('down')))(event(), ctx);
    expect(ctx.outcome).toBe('retry-scheduled');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('t.retry.1');
    expect(sent[0]!.headers[RetryHeaders.dueAt]).toBe('2030-01-01T00:00:01.000Z');
    expect(sent[0]!.headers[RetryHeaders.attempts]).toBe('1');
    expect(sent[0]!.headers.ce_id).toEqual(Buffer.from('e1'));
  });

  test('a permanent failure goes straight to the DLQ', async () => {
    const { sent, mw } = setup([1_000]);
    const ctx = context();
    await compose([mw], failing(new PermanentError('invalid release id')))(event(), ctx);
    expect(ctx.outcome).toBe('dead-lettered');
    expect(sent[0]!.topic).toBe('t.dlq');
    expect(sent[0]!.headers[DeadLetterHeaders.errorCode]).toBe('PERMANENT');
    expect(sent[0]!.headers[DeadLetterHeaders.errorMessage]).toBe('invalid release id');
    expect(sent[0]!.headers[DeadLetterHeaders.originalOffset]).toBe('5');
  });

  test('while stopping, a retryable failure (maybe the stop itself) is left uncommitted, not moved', async () => {
    const stopping = new AbortController();
    stopping.abort();
    const { sent, mw } = setup([1_000], stopping.signal);
    await expect(
      compose([mw], failing(new Error('aborted by the stop deadline')))(event(), context()),
    ).rejects.toBeInstanceOf(DeliveryAbortedError);
    expect(sent).toHaveLength(0);
    // A permanent failure is the event's own: still dead-lettered.
    await compose([mw], failing(new PermanentError('invalid release id')))(event(), context());
    expect(sent.map((m) => m.topic)).toEqual(['t.dlq']);
  });

  test('deferred errors pass through untouched', async () => {
    const { sent, mw } = setup([1_000]);
    await expect(
      compose([mw], failing(new BreakerOpenError('dep')))(event(), context()),
    ).rejects.toBeInstanceOf(BreakerOpenError);
    expect(sent).toHaveLength(0);
  });
});

test('breaker middleware fails fast while a declared dependency is open', async () => {
  const registry = new BreakerRegistry({
    defaults: { volumeThreshold: 1, resetTimeoutMs: 60_000 },
  });
  const handler = failing();
  const chain = compose([breakerMiddleware(registry, () => ['dep'])], handler);
  await chain(event(), context());
  // The failure that trips the breaker already comes back as BreakerOpenError (no retry is spent on it).
  const tripped = await registry
    .get('dep')
    .run(() => Promise.reject(new Error('dep down')))
    .catch((e: unknown) => e);
  expect(tripped).toBeInstanceOf(BreakerOpenError);
  expect((tripped as Error).cause).toEqual(new Error('dep down'));
  expect(registry.get('dep').state).toBe('open');
  await expect(registry.get('dep').run(async () => 1)).rejects.toBeInstanceOf(BreakerOpenError);
  await expect(chain(event(), context())).rejects.toBeInstanceOf(BreakerOpenError);
  expect(handler.calls).toBe(1);
  registry.shutdown();
});

test('the logger redacts secrets by path', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()),
  });
  const log = createLogger({ service: 'svc', destination: sink });
  log.info(
    {
      config: { kafka: { sasl: { password: 'hunter2' } } },
      password: 'p',
      headers: { authorization: 'Bearer x' },
    },
    'hello',
  );
  expect(lines.join('')).not.toMatch(/hunter2|Bearer x|"password":"p"/);
  expect(JSON.parse(lines[0]!)).toMatchObject({
    service: 'svc',
    password: '[redacted]',
    msg: 'hello',
  });
});
