/**
 * How far `troupe dlq redrive` got in one dead-letter partition, kept in its consumer group
 * (`troupe-dlq-redrive-<dlq topic>`) so a second redrive does not republish the same records.
 *
 * The committed offset is the first record not redriven yet: everything before it was
 * redriven. A filtered redrive (or one cut short by --limit) leaves records behind, so the
 * committed offset stops at the first of them, and the records after it that were redriven
 * anyway are listed in the commit's metadata (`troupe-redrive/1 12-15,18`). Without that list, a
 * filtered redrive would either skip the records it left behind for good, or republish the
 * ones after them next time.
 *
 * Limits: the broker caps commit metadata (offset.metadata.max.bytes, 4096 by default), so a
 * redrive stops early in a partition whose list would not fit (run it again, or without
 * filters, to move the committed offset on). Progress is committed after each batch is
 * produced: a redrive killed in between republishes that batch next time (at least once).
 */
export const PROGRESS_FORMAT = 'troupe-redrive/1';
/** Below the broker's default offset.metadata.max.bytes (4096). */
export const MAX_METADATA_CHARS = 4000;

/** Offset ranges as `12-15,18`, sorted, from any offsets. */
export function encodeOffsets(offsets: Iterable<bigint>): string {
  const sorted = [...new Set(offsets)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! === sorted[j]! + 1n) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** The metadata to commit: null when nothing past the committed offset was redriven. */
export function encodeProgress(redriven: Iterable<bigint>): string | null {
  const ranges = encodeOffsets(redriven);
  return ranges === '' ? null : `${PROGRESS_FORMAT} ${ranges}`;
}

/** The offsets listed in committed metadata; anything not in this format lists none. */
export function decodeProgress(metadata: string | null | undefined): bigint[] {
  const match = /^troupe-redrive\/1 ((?:\d+(?:-\d+)?)(?:,\d+(?:-\d+)?)*)$/.exec(metadata ?? '');
  if (!match) return [];
  const offsets: bigint[] = [];
  for (const range of match[1]!.split(',')) {
    const [from, to = from] = range.split('-').map((n) => BigInt(n));
    for (let offset = from!; offset <= to!; offset++) offsets.push(offset);
  }
  return offsets;
}

/** One partition's progress during a redrive. */
export class PartitionProgress {
  private readonly done: Set<bigint>;
  private firstLeft: bigint | undefined;
  /** Characters the listed offsets take without range compression: an upper bound, kept cheaply. */
  private listedChars = 0;

  /**
   * @param start where reading starts (the committed offset, or the earliest one)
   * @param redrivenBefore offsets listed in the committed metadata
   */
  constructor(
    readonly start: bigint,
    redrivenBefore: Iterable<bigint> = [],
  ) {
    this.done = new Set([...redrivenBefore].filter((offset) => offset >= start));
  }

  /** Redriven by an earlier run (listed in the metadata): skip it. */
  wasRedriven(offset: bigint): boolean {
    return this.done.has(offset);
  }

  /** Whether marking `offset` redriven still leaves metadata that fits in a commit. */
  fits(offset: bigint): boolean {
    // Nothing left behind yet: the commit will pass `offset`, and what the earlier metadata
    // listed after it fitted before.
    if (this.firstLeft === undefined) return true;
    const bound = PROGRESS_FORMAT.length + 1 + this.listedChars + String(offset).length + 1;
    if (bound <= MAX_METADATA_CHARS) return true;
    const from = this.firstLeft;
    const wouldBe = [...this.done, offset].filter((o) => o >= from);
    return (encodeProgress(wouldBe)?.length ?? 0) <= MAX_METADATA_CHARS;
  }

  markRedriven(offset: bigint): void {
    if (this.done.has(offset)) return;
    this.done.add(offset);
    if (this.firstLeft !== undefined && offset >= this.firstLeft)
      this.listedChars += String(offset).length + 1;
  }

  /** Seen but not redriven (filtered out): the committed offset cannot pass it. */
  markLeft(offset: bigint): void {
    if (this.firstLeft !== undefined && offset >= this.firstLeft) return;
    this.firstLeft = offset;
    this.listedChars = 0;
    for (const o of this.done) if (o >= offset) this.listedChars += String(o).length + 1;
  }

  /**
   * What to commit once every record before `readUpTo` has been decided: the first record
   * left behind (else `readUpTo`), with the redriven offsets at or after it as metadata.
   */
  commitAt(readUpTo: bigint): { offset: bigint; metadata: string | null } {
    const offset =
      this.firstLeft !== undefined && this.firstLeft < readUpTo ? this.firstLeft : readUpTo;
    return { offset, metadata: encodeProgress([...this.done].filter((o) => o >= offset)) };
  }
}
