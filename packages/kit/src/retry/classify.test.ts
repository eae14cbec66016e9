import { runInNewContext } from 'node:vm';
import { DedupBusyError, DedupUnavailableError } from '../dedup/errors';
import { DecodeError } from '../codec/codec';
import { ValidationError } from '../codec/validation-error';
import { ConfigError, PermanentError, TroupeError, errorCodes, toError } from '../errors';
import {
  BreakerOpenError,
  DeliveryAbortedError,
  HandlerTimeoutError,
  classifyFailure,
  errorCode,
  failureKindOfCode,
} from './classify';

test('permanent: PermanentError, DecodeError, ConfigError, validation errors, retryable:false', () => {
  expect(classifyFailure(new PermanentError('bad input'))).toBe('permanent');
  expect(classifyFailure(new DecodeError('INVALID_BODY', 'garbage'))).toBe('permanent');
  expect(classifyFailure(new ConfigError('X', 'y'))).toBe('permanent');
  expect(classifyFailure(new ValidationError('a.B', 'x', 'string', 'null'))).toBe('permanent');
  const zodLike = Object.assign(new Error('invalid'), { name: 'ZodError' });
  expect(classifyFailure(zodLike)).toBe('permanent');
  expect(classifyFailure(Object.assign(new Error('no'), { retryable: false }))).toBe('permanent');
  // A plain object thrown with retryable:false keeps its meaning (and its code) through toError.
  const thrown = toError({ code: 'CARD_DECLINED', retryable: false });
  expect(classifyFailure(thrown)).toBe('permanent');
  expect(errorCode(thrown)).toBe('CARD_DECLINED');
});

test("toError keeps an Error made in another realm as it is (node's own errors inside a jest sandbox)", () => {
  const foreign: unknown = runInNewContext('new Error("read ECONNRESET")');
  expect(foreign instanceof Error).toBe(false);
  expect(toError(foreign)).toBe(foreign);
  expect(toError(foreign).message).toBe('read ECONNRESET');
});

test('deferred: an open breaker, a stopping consumer, an unavailable or busy dedup store', () => {
  expect(classifyFailure(new BreakerOpenError('payments'))).toBe('deferred');
  expect(classifyFailure(new DeliveryAbortedError('stopping'))).toBe('deferred');
  // The dedup store's Redis is down, or another consumer holds the lease: redeliver, spend no retry.
  expect(classifyFailure(new DedupUnavailableError('claim', 'k', new Error('ECONNREFUSED')))).toBe(
    'deferred',
  );
  expect(classifyFailure(new DedupBusyError('k', 'other-owner'))).toBe('deferred');
});

test('retryable: everything else, including timeouts and non-Error throws', () => {
  expect(classifyFailure(new Error('ECONNRESET'))).toBe('retryable');
  expect(classifyFailure(new HandlerTimeoutError(100, 'a.B'))).toBe('retryable');
  expect(classifyFailure(new TroupeError('WEBHOOK_FAILED', 'x'))).toBe('retryable');
  expect(classifyFailure(toError('a string'))).toBe('retryable');
  expect(classifyFailure(toError({ weird: true }))).toBe('retryable');
  expect(classifyFailure(toError(undefined))).toBe('retryable');
});

test('a service predicate can mark more errors permanent', () => {
  const is404 = (e: Error) => e.message.includes('404');
  expect(classifyFailure(new Error('HTTP 404'), is404)).toBe('permanent');
  expect(classifyFailure(new Error('HTTP 503'), is404)).toBe('retryable');
  // A breaker stays deferred whatever the predicate says.
  expect(classifyFailure(new BreakerOpenError('x'), () => true)).toBe('deferred');
});

test('errorCode: the TroupeError code, else the class name', () => {
  expect(errorCode(new DecodeError('TRUNCATED', 'short'))).toBe('DECODE_TRUNCATED');
  expect(errorCode(new PermanentError('x'))).toBe('PERMANENT');
  expect(errorCode(new TypeError('x'))).toBe('TypeError');
});

test('every error code has a failure kind, and a TroupeError is classified by its code', () => {
  for (const code of errorCodes)
    expect(['retryable', 'permanent', 'deferred']).toContain(failureKindOfCode(code));
  expect(classifyFailure(new TroupeError('DECODE_TRUNCATED', 'x'))).toBe('permanent');
  expect(classifyFailure(new TroupeError('DEDUP_BUSY', 'x'))).toBe('deferred');
  // A code that leaves it retryable still yields to retryable:false and the service's predicate.
  const declined = Object.assign(new TroupeError('WEBHOOK_FAILED', 'x'), { retryable: false });
  expect(classifyFailure(declined)).toBe('permanent');
  expect(classifyFailure(new TroupeError('TIMEOUT', 'x'), () => true)).toBe('permanent');
  expect(classifyFailure(new TroupeError('BREAKER_OPEN', 'x'), () => true)).toBe('deferred');
});
