import { requireDeadLetterTopic } from './dead-letter-topic';

describe('requireDeadLetterTopic', () => {
  it('accepts <topic>.dlq', () => {
    expect(() => requireDeadLetterTopic('orders.dlq', 'dlq list')).not.toThrow();
  });

  it.each([
    ['orders', 'orders.dlq'],
    ['orders.retry.2', 'orders.dlq'],
    ['orders.dlq.archive', 'orders.dlq.archive.dlq'],
  ])('refuses %s, suggesting %s', (topic, suggestion) => {
    expect(() => requireDeadLetterTopic(topic, 'dlq redrive')).toThrow(
      `dlq redrive: ${topic} is not a dead-letter topic (their names end in .dlq); did you mean ${suggestion}?`,
    );
  });
});
