import { createTopics, testKafka, uniqueName } from '@troupe/testkit';
import { isEventOnTopic } from '@troupe-services/pipeline';

/** The recovery-path question "is this event id on the topic since then?", against a real broker. */
jest.setTimeout(60_000);

const topic = uniqueName('probe');
const kafka = testKafka('probe-test');
const producer = kafka.producer();
const hourAgo = Date.now() - 3_600_000;

beforeAll(async () => {
  await createTopics([{ topic, numPartitions: 3 }]);
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      { key: 'a', value: 'x', headers: { ce_id: 'old-event' }, timestamp: String(hourAgo) },
      ...Array.from({ length: 30 }, (_, i) => ({
        key: `k${i}`,
        value: 'x',
        headers: { ce_id: `event-${i}` },
      })),
    ],
  });
});

afterAll(async () => {
  await producer.disconnect();
});

test('finds an event by id, anywhere in the topic since the given time', async () => {
  const since = new Date(hourAgo + 60_000);
  await expect(isEventOnTopic(kafka, topic, 'event-0', { since })).resolves.toBe(true);
  await expect(isEventOnTopic(kafka, topic, 'event-29', { since })).resolves.toBe(true);
});

test('answers false after reading every partition to its end', async () => {
  const started = Date.now();
  await expect(
    isEventOnTopic(kafka, topic, 'missing', { since: new Date(hourAgo - 60_000) }),
  ).resolves.toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('does not look before `since`', async () => {
  await expect(
    isEventOnTopic(kafka, topic, 'old-event', { since: new Date(hourAgo + 60_000) }),
  ).resolves.toBe(false);
  await expect(
    isEventOnTopic(kafka, topic, 'old-event', { since: new Date(hourAgo - 60_000) }),
  ).resolves.toBe(true);
});

test('answers false at once when nothing was written since', async () => {
  await expect(
    isEventOnTopic(kafka, topic, 'event-0', { since: new Date(Date.now() + 60_000) }),
  ).resolves.toBe(false);
});
