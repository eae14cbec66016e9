import {
  MAX_METADATA_CHARS,
  PartitionProgress,
  decodeProgress,
  encodeOffsets,
  encodeProgress,
} from './redrive-progress';

const offsets = (...n: number[]) => n.map(BigInt);

describe('progress metadata', () => {
  it('encodes offsets as sorted ranges and decodes them back', () => {
    expect(encodeOffsets(offsets(18, 12, 13, 14, 15, 20, 21))).toBe('12-15,18,20-21');
    expect(encodeProgress(offsets(5))).toBe('troupe-redrive/1 5');
    expect(encodeProgress([])).toBeNull();
    expect(decodeProgress('troupe-redrive/1 12-15,18')).toEqual(offsets(12, 13, 14, 15, 18));
  });

  it('reads metadata in any other form (or none) as listing nothing', () => {
    expect(decodeProgress(null)).toEqual([]);
    expect(decodeProgress('')).toEqual([]);
    expect(decodeProgress('someone else 1-2')).toEqual([]);
    expect(decodeProgress('troupe-redrive/1 1-x')).toEqual([]);
  });
});

describe('PartitionProgress', () => {
  it('without anything left behind, commits the end of what was read and lists nothing', () => {
    const progress = new PartitionProgress(0n);
    for (const o of offsets(0, 1, 2)) progress.markRedriven(o);
    expect(progress.commitAt(3n)).toEqual({ offset: 3n, metadata: null });
  });

  it('stops at the first record a filter left behind and lists the redriven ones after it', () => {
    const progress = new PartitionProgress(10n);
    progress.markRedriven(10n);
    progress.markLeft(11n);
    progress.markRedriven(12n);
    progress.markLeft(13n);
    progress.markRedriven(14n);
    expect(progress.commitAt(15n)).toEqual({ offset: 11n, metadata: 'troupe-redrive/1 12,14' });
  });

  it('a second run skips what the metadata lists and then commits past everything', () => {
    const second = new PartitionProgress(11n, decodeProgress('troupe-redrive/1 12,14'));
    expect(offsets(11, 12, 13, 14).map((o) => second.wasRedriven(o))).toEqual([
      false,
      true,
      false,
      true,
    ]);
    second.markRedriven(11n);
    second.markRedriven(13n);
    expect(second.commitAt(15n)).toEqual({ offset: 15n, metadata: null });
  });

  it('keeps listed offsets beyond where a limited run stopped', () => {
    const progress = new PartitionProgress(0n, offsets(5, 6));
    progress.markRedriven(0n);
    expect(progress.commitAt(1n)).toEqual({ offset: 1n, metadata: 'troupe-redrive/1 5-6' });
  });

  it('forgets listed offsets below where it starts (the topic was trimmed by retention)', () => {
    const progress = new PartitionProgress(100n, offsets(50, 150));
    expect(progress.wasRedriven(50n)).toBe(false);
    expect(progress.commitAt(100n)).toEqual({ offset: 100n, metadata: 'troupe-redrive/1 150' });
  });

  it('refuses to list more than fits in a commit', () => {
    const progress = new PartitionProgress(1_000_000_000n);
    let offset = 1_000_000_000n;
    progress.markLeft(offset++);
    let marked = 0;
    for (; progress.fits(offset); offset += 2n) {
      progress.markRedriven(offset);
      marked++;
    }
    expect(marked).toBeGreaterThan(300);
    expect(progress.commitAt(offset).metadata!.length).toBeLessThanOrEqual(MAX_METADATA_CHARS);
  });
});
