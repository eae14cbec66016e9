import { claimFromReply, leaseValue, markFromReply } from './scripts';

describe('dedup script replies', () => {
  test('claim: 1 is ours to run', () => {
    expect(claimFromReply(1)).toEqual({ outcome: 'claimed' });
  });

  test('claim: done means skip and commit', () => {
    expect(claimFromReply('done')).toEqual({ outcome: 'done' });
    expect(claimFromReply(Buffer.from('done'))).toEqual({ outcome: 'done' });
  });

  test("claim: another owner's lease is busy and names the holder", () => {
    expect(claimFromReply(leaseValue('host:42:ab'))).toEqual({
      outcome: 'busy',
      holder: 'host:42:ab',
    });
  });

  test('claim: a foreign value is never taken as done', () => {
    expect(() => claimFromReply('something-else')).toThrow(/expected 1, "done" or "lease:<owner>"/);
    expect(() => claimFromReply(null)).toThrow(TypeError);
  });

  test('mark: marked, already done, or lost to a takeover', () => {
    expect(markFromReply(1)).toBe('marked');
    expect(markFromReply(2)).toBe('alreadyDone');
    expect(markFromReply(0)).toBe('lost');
    expect(() => markFromReply('OK')).toThrow(/expected 0, 1 or 2/);
  });
});
