import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type KafkaSettings, startKafka } from './kafka';
import { makeStackCertificates, type StackCertificates } from './certificates';
import { kafkaRelease } from './kafka-release';
import { prepareKafka } from './kafka';
import { requireTool } from './prerequisites';
import { ServerHandle, stopServer } from './server-process';

/** One broker of its own, for a test that needs a Kafka set up unlike the shared stack's. */
export interface StandaloneKafka {
  dir: string;
  server: ServerHandle;
  /** What a client sets to reach it; a secured broker's password is a file (…_PASSWORD_FILE). */
  settings: KafkaSettings;
  /** A secured broker's PEM files: its CA, and a client certificate and key for mutual TLS. */
  certificates?: StackCertificates;
  /** Milliseconds from the call until the broker answered (certificates and format included). */
  startupMs: number;
}

/** How startStandaloneKafka starts its broker. */
export interface StandaloneKafkaOptions {
  /** SASL_SSL with SCRAM-SHA-512 and a CA made for this run; no plaintext client listener. */
  secure?: boolean;
  /**
   * A secured broker's PEM files, instead of a new CA's (implies `secure`): e.g. a server
   * certificate made already expired.
   */
  certificates?: StackCertificates;
  /**
   * Judge the broker ready on its plaintext loopback listener instead of as a client: for a
   * broker whose client listener is meant to refuse clients (an expired certificate).
   */
  readyWithoutClientListener?: boolean;
  /** How long the broker gets to answer. Default 90 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Starts one KRaft broker (TROUPE_KAFKA_VERSION's release, as the stack runs) in a new data
 * directory, attached to this process. Stop it with stopStandaloneKafka, which deletes the directory.
 */
export async function startStandaloneKafka(
  options: StandaloneKafkaOptions = {},
): Promise<StandaloneKafka> {
  const started = Date.now();
  const java = requireTool('java');
  const release = kafkaRelease(process.env);
  const libDir = await prepareKafka(release);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'troupe-kafka-'));
  try {
    const certificates =
      options.certificates ??
      (options.secure ? await makeStackCertificates(path.join(dir, 'certificates')) : undefined);
    const kafka = await startKafka({ java, release, libDir }, dir, {
      detached: false,
      wait: { timeoutMs: options.timeoutMs ?? 90_000, signal: options.signal },
      certificates,
      readiness: { through: options.readyWithoutClientListener ? 'internal' : 'client' },
    });
    return {
      dir,
      server: kafka.servers[0]!,
      settings: kafka.settings,
      certificates,
      startupMs: Date.now() - started,
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Stops the broker, waits for it to exit, and removes its data (keys and password included). */
export async function stopStandaloneKafka(
  kafka: Pick<StandaloneKafka, 'dir' | 'server'>,
): Promise<void> {
  await stopServer(kafka.server);
  rmSync(kafka.dir, { recursive: true, force: true });
}
