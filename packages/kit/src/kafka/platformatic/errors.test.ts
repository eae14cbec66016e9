import { hasProtocolError, isUnknownTopic, withReasons } from './errors';

/** Shaped as @platformatic/kafka's ProtocolError and MultipleErrors. */
function protocolError(apiId: string): Error {
  return Object.assign(new Error('broker said no'), { apiId, code: 'PLT_KFK_PROTOCOL' });
}
function multiple(message: string, errors: Error[]): Error {
  return new AggregateError(errors, message);
}

test('finds a broker error code through nested retries', () => {
  const error = multiple('Creating topics failed.', [
    multiple('createTopics failed 2 times.', [protocolError('TOPIC_ALREADY_EXISTS')]),
  ]);
  expect(hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')).toBe(true);
  expect(hasProtocolError(error, 'INVALID_PARTITIONS')).toBe(false);
  expect(hasProtocolError('TOPIC_ALREADY_EXISTS', 'TOPIC_ALREADY_EXISTS')).toBe(false);
});

test('an unknown topic is recognised in either of the forms the library reports it', () => {
  expect(isUnknownTopic(new Error('Unknown topic orders.'))).toBe(true);
  expect(
    isUnknownTopic(
      multiple('Producing messages failed.', [protocolError('UNKNOWN_TOPIC_OR_PARTITION')]),
    ),
  ).toBe(true);
  expect(isUnknownTopic(new Error('x', { cause: new Error('Unknown topic a.') }))).toBe(true);
  expect(
    isUnknownTopic(
      multiple('Producing messages failed.', [protocolError('NOT_LEADER_OR_FOLLOWER')]),
    ),
  ).toBe(false);
});

describe('withReasons', () => {
  it("puts the nested errors' messages after the library's own, once each", () => {
    const broker = new Error('The request included a message larger than the max message size.');
    const error = new AggregateError(
      [new AggregateError([broker, broker], 'Sending failed.')],
      'Producing messages failed.',
    );
    const readable = withReasons(error) as Error;
    expect(readable.message).toBe(
      'Producing messages failed: The request included a message larger than the max message size.',
    );
    expect(readable.cause).toBe(error);
  });

  it('leaves other errors as they are', () => {
    const error = new Error('plain');
    expect(withReasons(error)).toBe(error);
  });
});
