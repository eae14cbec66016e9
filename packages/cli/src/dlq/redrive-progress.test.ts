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
    expect(encodeProgress(offsets(5), 0n)).toBe('troupe-redrive/1 5');
    expect(encodeProgress(offsets(1000, 12, 13, 14, 15, 18), 10n)).toBe(
      'troupe-redrive/1 12-15,18,1000',
    );
    expect(encodeProgress([], 0n)).toBeNull();
    expect(encodeProgress(offsets(3, 4), 5n)).toBeNull();
    expect(decodeProgress('troupe-redrive/1 12-15,18', 10n)).toEqual(offsets(12, 13, 14, 15, 18));
  });

  it('uses a bitmap from the committed offset when that is shorter (many scattered offsets)', () => {
    const everyThird = Array.from({ length: 3000 }, (_, i) => 1_000_000n + BigInt(i * 3));
    const metadata = encodeProgress(everyThird, 999_999n)!;
    expect(metadata).toMatch(/^troupe-redrive\/1 bitmap:[A-Za-z0-9_-]+$/);
    expect(metadata.length).toBeLessThan(1_600);
    expect(encodeOffsets(everyThird).length).toBeGreaterThan(20_000);
    expect(decodeProgress(metadata, 999_999n)).toEqual(everyThird);
  });

  it('reads metadata in any other form (or none) as listing nothing', () => {
    expect(decodeProgress(null, 0n)).toEqual([]);
    expect(decodeProgress('', 0n)).toEqual([]);
    expect(decodeProgress('someone else 1-2', 0n)).toEqual([]);
    expect(decodeProgress('troupe-redrive/1 1-x', 0n)).toEqual([]);
    expect(decodeProgress('troupe-redrive/1 bitmap:+/', 0n)).toEqual([]);
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
    const second = new PartitionProgress(11n, decodeProgress('troupe-redrive/1 12,14', 11n));
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

  it.each([
    ['every other record', 2n, 11_000],
    ['one record in a thousand', 1000n, 300],
  ])('lists %s up to what fits in a commit', (_what, step, atLeast) => {
    const progress = new PartitionProgress(1_000_000_000n);
    let offset = 1_000_000_000n;
    progress.markLeft(offset++);
    let marked = 0;
    for (; progress.fits(offset); offset += step) {
      progress.markRedriven(offset);
      marked++;
    }
    expect(marked).toBeGreaterThan(atLeast);
    const { metadata } = progress.commitAt(offset);
    expect(metadata!.length).toBeLessThanOrEqual(MAX_METADATA_CHARS);
    expect(decodeProgress(metadata, 1_000_000_000n)).toHaveLength(marked);
  });
});

describe('PartitionProgress at scale', () => {
  it('decides quickly for a long contiguous run after a record left behind', () => {
    const progress = new PartitionProgress(0n);
    progress.markLeft(0n);
    const started = Date.now();
    let fitted = 0;
    for (let offset = 1n; offset <= 200_000n; offset++) {
      if (progress.fits(offset)) fitted++;
      progress.markRedriven(offset);
    }
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fitted).toBe(200_000);
    expect(progress.commitAt(200_001n)).toEqual({
      offset: 0n,
      metadata: 'troupe-redrive/1 1-200000',
    });
  });
});
