import { createTopics, testKafka, uniqueName } from '@troupe/testkit';
import { isEventOnTopic } from '@troupe-services/pipeline';

/** The recovery-path question "is this event id on the topic since then?", against a real broker. */
jest.setTimeout(60_000);

const topic = uniqueName('probe');
const kafka = testKafka('probe-test');
const producer = kafka.producer();
const hourAgo = Date.now() - 3_600_000;
/** Between the old event and the others: a `since` that leaves the old event out. */
let between: Date;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await createTopics([{ topic, partitions: 3 }]);
  await producer.connect();
  // Records carry the time they were produced (a driver's producer does not take one): the old
  // event goes first, `between` after it, the others after that.
  await producer.send([
    { topic, records: [{ key: 'a', value: 'x', headers: { ce_id: 'old-event' } }] },
  ]);
  await pause(20);
  between = new Date();
  await pause(20);
  await producer.send([
    {
      topic,
      records: Array.from({ length: 30 }, (_, i) => ({
        key: `k${i}`,
        value: 'x',
        headers: { ce_id: `event-${i}` },
      })),
    },
  ]);
});

afterAll(async () => {
  await producer.disconnect();
});

test('finds an event by id, anywhere in the topic since the given time', async () => {
  await expect(isEventOnTopic(kafka, topic, 'event-0', { since: between })).resolves.toBe(true);
  await expect(isEventOnTopic(kafka, topic, 'event-29', { since: between })).resolves.toBe(true);
});

test('answers false after reading every partition to its end', async () => {
  const started = Date.now();
  await expect(
    isEventOnTopic(kafka, topic, 'missing', { since: new Date(hourAgo - 60_000) }),
  ).resolves.toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('does not look before `since`', async () => {
  await expect(isEventOnTopic(kafka, topic, 'old-event', { since: between })).resolves.toBe(false);
  await expect(
    isEventOnTopic(kafka, topic, 'old-event', { since: new Date(hourAgo - 60_000) }),
  ).resolves.toBe(true);
});

test('answers false at once when nothing was written since', async () => {
  await expect(
    isEventOnTopic(kafka, topic, 'event-0', { since: new Date(Date.now() + 60_000) }),
  ).resolves.toBe(false);
});
