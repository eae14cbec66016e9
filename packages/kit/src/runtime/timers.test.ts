import { TroupeError } from '../errors';
import { TimeoutError, withTimeout } from './timers';

describe('withTimeout', () => {
  test('rejects a promise that does not settle with a TimeoutError naming the work', async () => {
    const error = await withTimeout(new Promise(() => undefined), 20, 'publish').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 20 });
    expect((error as Error).message).toBe('publish did not finish within 20ms');
  });

  test('passes through a result or a rejection that comes first', async () => {
    await expect(withTimeout(Promise.resolve(3), 20, 'x')).resolves.toBe(3);
    await expect(withTimeout(Promise.reject(new Error('no')), 20, 'x')).rejects.toThrow('no');
  });

  test('no limit when ms is not a positive finite number', async () => {
    const late = new Promise((resolve) => setTimeout(() => resolve('late'), 30));
    await expect(withTimeout(late, 0, 'x')).resolves.toBe('late');
  });
});
