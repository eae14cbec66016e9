import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { KafkaDriver } from '../kafka/driver';
import type { RecordProducer } from '../kafka/producer';
import type { OutgoingRecord } from '../kafka/records';
import { positiveInteger } from '../config/option-checks';
import { ConfigError, toError } from '../errors';
import {
  RedisOutbox,
  RedisOutboxEntry,
  StreamEntries,
  decodeEntry,
  entriesFromReadReply,
} from './redis-outbox';
import { sendTraced } from '../observability/send-span';
import { fullJitterBackoff } from '../retry/backoff';
import { withTimeout } from '../runtime/timers';
import { RELAY_BACKOFF, Wakeup } from './wakeup';
import { silentConnectionTimeout } from '../dedup/redis-client';

/** What a RedisOutboxRelay reads (the stream, in its consumer group) and how it publishes to Kafka. */
export interface RedisOutboxRelayOptions {
  outbox: RedisOutbox;
  /** Duplicated: the relay blocks on its own connection. */
  redis: Redis;
  kafka?: KafkaDriver;
  /** Or one of yours (a driver's producers are all idempotent). */
  producer?: RecordProducer;
  /** Default `troupe-outbox-relay`. */
  group?: string;
  /** Unique per relay. Default `<hostname>:<pid>:<random>`. */
  consumer?: string;
  /** Entries per round. Default 500. */
  batchSize?: number;
  /** How long one XREADGROUP waits for new entries. Default 1000 ms. */
  blockMs?: number;
  /** Entries delivered to another relay and unacknowledged this long are claimed (XAUTOCLAIM). Default 10 s. */
  claimIdleMs?: number;
  /** The active relay's lease. Default 15 s; above publishTimeoutMs + blockMs. */
  leaseMs?: number;
  /** Default 10 s. */
  publishTimeoutMs?: number;
  /** After Kafka acknowledged, before XACK (logging, metrics). */
  onPublished?: (entries: readonly RedisOutboxEntry[]) => void | Promise<void>;
  onError?: (error: Error) => void;
}

/** KEYS[1] lease; ARGV[1] owner; ARGV[2] ms. Take it if free, extend it if ours; 1 = ours. */
const HOLD_LEASE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if current == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
`;
const DROP_LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Publishes Redis outbox entries: reads them with a consumer group, publishes them with an
 * idempotent producer, then XACKs and XDELs them. At-least-once: a relay that dies between publish
 * and XACK leaves its entries pending; after `claimIdleMs` another relay claims them (XAUTOCLAIM)
 * and publishes them again; consumers dedup by event id.
 *
 * Per-aggregate order with several relays: a consumer group hands entries to whichever relay reads
 * next, so two relays reading at once could publish a later entry of an aggregate before an earlier
 * one. One relay is active at a time (a lease key, renewed every round); the others wait and take
 * over when it lapses. The new active relay first publishes what the old one left pending (older
 * than anything new), and reads nothing new while another relay still has unacknowledged entries.
 *
 * Tracing: as the PostgreSQL relay's (OutboxRelay), each entry's send span is a child of the
 * context captured at `add`, linked to it, when an OpenTelemetry SDK is registered.
 */
export class RedisOutboxRelay {
  readonly consumer: string;
  private readonly outbox: RedisOutbox;
  private readonly redis: Redis;
  private readonly producer: RecordProducer;
  private readonly ownsProducer: boolean;
  private readonly group: string;
  private readonly leaseKey: string;
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private readonly leaseMs: number;
  private readonly publishTimeoutMs: number;
  private readonly onPublished: RedisOutboxRelayOptions['onPublished'];
  private readonly onError: (error: Error) => void;
  private readonly wakeup = new Wakeup();
  private stopped = true;
  private loop: Promise<void> | undefined;

  constructor(options: RedisOutboxRelayOptions) {
    this.outbox = options.outbox;
    this.blockMs = positiveInteger('redisOutboxRelay.blockMs', options.blockMs ?? 1_000);
    this.publishTimeoutMs = positiveInteger(
      'redisOutboxRelay.publishTimeoutMs',
      options.publishTimeoutMs ?? 10_000,
    );
    this.leaseMs = positiveInteger('redisOutboxRelay.leaseMs', options.leaseMs ?? 15_000);
    this.claimIdleMs = positiveInteger(
      'redisOutboxRelay.claimIdleMs',
      options.claimIdleMs ?? 10_000,
    );
    this.batchSize = positiveInteger('redisOutboxRelay.batchSize', options.batchSize ?? 500);
    if (this.leaseMs <= this.publishTimeoutMs + this.blockMs) {
      throw new ConfigError(
        'redisOutboxRelay.leaseMs',
        'more than publishTimeoutMs + blockMs',
        String(this.leaseMs),
      );
    }
    // Blocking reads need their own connection, with a command timeout longer than the block.
    // Its blocking reads wait blockMs for an answer: neither they nor the silence they leave may
    // count as a dead connection.
    const commandTimeout = this.blockMs + 5_000;
    this.redis = options.redis.duplicate({
      commandTimeout,
      socketTimeout: silentConnectionTimeout(commandTimeout),
    });
    this.redis.on('error', (error: Error) => this.onError(error));
    if (options.producer) this.producer = options.producer;
    else if (options.kafka) this.producer = options.kafka.producer();
    else throw new ConfigError('redisOutboxRelay.kafka', 'a Kafka driver or a producer');
    this.ownsProducer = !options.producer;
    this.group = options.group ?? 'troupe-outbox-relay';
    this.consumer =
      options.consumer ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.leaseKey = `${this.outbox.stream}:relay-lease:${this.group}`;
    this.onPublished = options.onPublished;
    this.onError = options.onError ?? (() => undefined);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    if (this.ownsProducer) await this.producer.connect();
    await this.createGroup();
    this.stopped = false;
    this.loop = this.run();
  }

  /** Finishes the round in flight, gives up the lease so a standby takes over at once, stops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeup.notify();
    await this.loop;
    await this.redis
      .eval(DROP_LEASE_SCRIPT, 1, this.leaseKey, this.consumer)
      .catch(() => undefined);
    this.redis.disconnect();
    if (this.ownsProducer) await this.producer.disconnect();
  }

  /** One round; returns how many entries it published (0 when it is not the active relay). */
  async relayOnce(): Promise<number> {
    const held = await this.redis.eval(
      HOLD_LEASE_SCRIPT,
      1,
      this.leaseKey,
      this.consumer,
      this.leaseMs,
    );
    if (held !== 1) {
      await this.wakeup.wait(Math.min(this.claimIdleMs, this.leaseMs) / 4);
      return 0;
    }
    if (await this.othersHoldEntries()) {
      const claimed = await this.claimIdle();
      // Entries of another relay that are not idle long enough yet: wait, never overtake them.
      if (claimed === 0) {
        await this.wakeup.wait(Math.min(this.claimIdleMs / 4, 1_000));
        return 0;
      }
    }
    // Our own unacknowledged entries (a failed publish, or just claimed) go before anything new.
    let entries = await this.read('0', undefined);
    if (entries.length === 0) entries = await this.read('>', this.blockMs);
    if (entries.length === 0) return 0;
    const live = entries.map(([id, fields]) => decodeEntry(id.toString(), fields));
    const publishable = live.filter((entry): entry is RedisOutboxEntry => entry !== null);
    if (publishable.length > 0) {
      await withTimeout(
        this.publish(publishable),
        this.publishTimeoutMs,
        'redis outbox relay publish',
      );
      await this.onPublished?.(publishable);
    }
    const ids = entries.map(([id]) => id.toString());
    await this.redis
      .multi()
      .xack(this.outbox.stream, this.group, ...ids)
      .xdel(this.outbox.stream, ...ids)
      .exec();
    return publishable.length;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.relayOnce();
        failures = 0;
      } catch (error) {
        this.onError(toError(error));
        await this.wakeup.wait(fullJitterBackoff(++failures, RELAY_BACKOFF));
      }
    }
  }

  private async createGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.outbox.stream, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async othersHoldEntries(): Promise<boolean> {
    const summary = (await this.redis.xpending(this.outbox.stream, this.group)) as [
      number,
      string | null,
      string | null,
      [string, string][] | null,
    ];
    return (summary[3] ?? []).some(
      ([consumer, count]) => consumer !== this.consumer && Number(count) > 0,
    );
  }

  /** XAUTOCLAIM idle entries of other relays into ours; entries deleted meanwhile are acknowledged. */
  private async claimIdle(): Promise<number> {
    const reply = (await this.redis.callBuffer(
      'XAUTOCLAIM',
      this.outbox.stream,
      this.group,
      this.consumer,
      this.claimIdleMs,
      '0-0',
      'COUNT',
      this.batchSize,
      'JUSTID',
    )) as [Buffer, Buffer[], Buffer[]?];
    const deleted = (reply[2] ?? []).map(String);
    if (deleted.length > 0) await this.redis.xack(this.outbox.stream, this.group, ...deleted);
    return reply[1].length + deleted.length;
  }

  private async read(from: '0' | '>', blockMs: number | undefined): Promise<StreamEntries> {
    const args: (string | number)[] = ['GROUP', this.group, this.consumer, 'COUNT', this.batchSize];
    if (blockMs !== undefined) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.outbox.stream, from);
    return entriesFromReadReply(await this.redis.callBuffer('XREADGROUP', ...args));
  }

  private async publish(entries: RedisOutboxEntry[]): Promise<void> {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const entry of entries) {
      let records = byTopic.get(entry.topic);
      if (!records) byTopic.set(entry.topic, (records = []));
      records.push({ key: entry.key, value: entry.value, headers: entry.headers });
    }
    // With an SDK registered, one send span per entry: a child of the context captured when the
    // entry was added (its traceparent), linked to it; the entry goes out with the span's context.
    await sendTraced(
      [...byTopic].map(([topic, records]) => ({ topic, records })),
      (batch) => this.producer.send(batch, { timeoutMs: this.publishTimeoutMs }),
      { parent: 'record', link: true },
    );
  }
}

/** Creates a RedisOutboxRelay and starts it; resolves once it runs. */
export async function runRedisOutboxRelay(
  options: RedisOutboxRelayOptions,
): Promise<RedisOutboxRelay> {
  const relay = new RedisOutboxRelay(options);
  await relay.start();
  return relay;
}
