import { TroupeService, defineService } from '@troupe/kit';
import {
  TestEvents,
  committedOffsets,
  createTopics,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(60_000);

const SESSION_TIMEOUT_MS = 6_000; // the broker's minimum

/**
 * A client may heartbeat only when asked (kafkajs does). A handler that awaits longer than the
 * session timeout must not cost the member its place in the group: if it did, the partition would
 * move (here: be re-assigned on rejoin) and the event would be handled a second time.
 */
test('a handler awaiting longer than the session timeout keeps the member in its group', async () => {
  const topic = uniqueName('rt-slow');
  await createTopics([{ topic, partitions: 1 }]);
  const publisher = await testPublisher();
  for (let seq = 1; seq <= 3; seq++)
    await publisher.publish({
      type: 'test.runtime.Counted',
      topic,
      key: 'k',
      payload: { key: 'k', seq, note: null },
    });
  await publisher.disconnect();

  const name = uniqueName('rt-slow-svc');
  const starts: number[] = [];
  let service: TroupeService | undefined;
  try {
    service = testService(
      defineService<TestEvents>()({
        name,
        topics: [topic],
        consumes: {
          'test.runtime.Counted': async (payload) => {
            starts.push(payload.seq);
            if (payload.seq === 1)
              await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS * 1.5));
          },
        },
      }),
      {
        consumer: {
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          heartbeatIntervalMs: 500,
          maxWaitTimeMs: 200,
          rebalanceTimeoutMs: 15_000,
        },
      },
    );
    await service.start();
    await waitFor(
      async () => (await committedOffsets(name, topic)).get(0) === 3,
      30_000,
      'all three events committed',
    );
    expect(starts).toEqual([1, 2, 3]);
  } finally {
    await service?.stop();
  }
});
