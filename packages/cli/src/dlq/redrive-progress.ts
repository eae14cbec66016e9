/**
 * How far `troupe dlq redrive` got in one dead-letter partition, kept in its consumer group
 * (`troupe-dlq-redrive-<dlq topic>`) so a second redrive does not republish the same records.
 *
 * The committed offset is the first record not redriven yet: everything before it was
 * redriven. A filtered redrive (or one cut short by --limit) leaves records behind, so the
 * committed offset stops at the first of them, and the records after it that were redriven
 * anyway are listed in the commit's metadata, as offset ranges (`troupe-redrive/1 12-15,18`)
 * or, when shorter, as a bitmap starting at the committed offset (`troupe-redrive/1 bitmap:…`,
 * base64url, bit i of byte i/8 from the low end = offset committed+i). Without that list, a
 * filtered redrive would either skip the records it left behind for good, or republish the
 * ones after them next time.
 *
 * Limits: the broker caps commit metadata (offset.metadata.max.bytes, 4096 by default): the
 * list covers at most about 24,000 offsets past the first record left behind, fewer when the
 * redriven ones are scattered over a wider span. A filtered redrive stops in a partition whose
 * list would not fit and says so; a redrive without filters moves the committed offset on.
 * Progress is committed after each batch is produced: a redrive killed in between republishes
 * that batch next time (at least once).
 */
export const PROGRESS_FORMAT = 'troupe-redrive/1';
/** Below the broker's default offset.metadata.max.bytes (4096). */
export const MAX_METADATA_CHARS = 4000;

const BITMAP = 'bitmap:';

function sortedUnique(offsets: Iterable<bigint>): bigint[] {
  return [...new Set(offsets)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Offset ranges as `12-15,18`, sorted, from any offsets. */
export function encodeOffsets(offsets: Iterable<bigint>): string {
  const sorted = sortedUnique(offsets);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! === sorted[j]! + 1n) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** Offsets at or after `from` as a bitmap relative to `from`, base64url. */
function encodeBitmap(offsets: bigint[], from: bigint): string {
  const last = offsets.reduce((max, o) => (o > max ? o : max), from);
  const bytes = Buffer.alloc(Number((last - from) / 8n) + 1);
  for (const offset of offsets) {
    if (offset < from) continue;
    const bit = Number(offset - from);
    bytes[bit >> 3]! |= 1 << (bit & 7);
  }
  return bytes.toString('base64url');
}

/**
 * The metadata to commit with `committed`: the redriven offsets at or after it, in the shorter
 * of the two forms; null when there are none.
 */
export function encodeProgress(redriven: Iterable<bigint>, committed: bigint): string | null {
  const listed = sortedUnique(redriven).filter((o) => o >= committed);
  if (listed.length === 0) return null;
  const ranges = encodeOffsets(listed);
  // The bitmap's size follows the span, the ranges' the count: skip building a long bitmap.
  const span = listed[listed.length - 1]! - committed;
  if (span > BigInt(ranges.length * 6)) return `${PROGRESS_FORMAT} ${ranges}`;
  const bitmap = `${BITMAP}${encodeBitmap(listed, committed)}`;
  return `${PROGRESS_FORMAT} ${bitmap.length < ranges.length ? bitmap : ranges}`;
}

/**
 * The offsets listed in metadata committed at `committed`; anything not in one of the two
 * forms lists none (a group someone else committed to is read as "nothing listed").
 */
export function decodeProgress(metadata: string | null | undefined, committed: bigint): bigint[] {
  const text = metadata ?? '';
  const bitmap = /^troupe-redrive\/1 bitmap:([A-Za-z0-9_-]+)$/.exec(text);
  if (bitmap) {
    const bytes = Buffer.from(bitmap[1]!, 'base64url');
    const offsets: bigint[] = [];
    for (let bit = 0; bit < bytes.length * 8; bit++)
      if ((bytes[bit >> 3]! >> (bit & 7)) & 1) offsets.push(committed + BigInt(bit));
    return offsets;
  }
  const ranges = /^troupe-redrive\/1 ((?:\d+(?:-\d+)?)(?:,\d+(?:-\d+)?)*)$/.exec(text);
  if (!ranges) return [];
  const offsets: bigint[] = [];
  for (const range of ranges[1]!.split(',')) {
    const [from, to = from] = range.split('-').map((n) => BigInt(n));
    for (let offset = from!; offset <= to!; offset++) offsets.push(offset);
  }
  return offsets;
}

/**
 * The length of `encodeOffsets` of offsets added in increasing order, kept as they come (so
 * checking whether the next one still fits costs nothing). Out-of-order offsets make it unknown.
 */
class RangesLength {
  private closedChars = 0;
  private closedRanges = 0;
  private first: bigint | undefined;
  private last: bigint | undefined;
  private unordered = false;

  /** The length with `offset` added, Infinity once offsets came out of order. */
  lengthWith(offset: bigint): number {
    if (this.unordered || (this.last !== undefined && offset <= this.last)) return Infinity;
    if (this.first === undefined || this.last === undefined) return String(offset).length;
    if (offset === this.last + 1n)
      return this.closedChars + this.separator() + rangeText(this.first, offset).length;
    return (
      this.closedChars +
      this.separator() +
      rangeText(this.first, this.last).length +
      1 +
      String(offset).length
    );
  }

  add(offset: bigint): void {
    if (this.last !== undefined && offset <= this.last) this.unordered = true;
    if (this.unordered) return;
    if (this.first !== undefined && this.last !== undefined && offset !== this.last + 1n) {
      this.closedChars += this.separator() + rangeText(this.first, this.last).length;
      this.closedRanges++;
      this.first = offset;
    }
    this.first ??= offset;
    this.last = offset;
  }

  private separator(): number {
    return this.closedRanges > 0 ? 1 : 0;
  }
}

function rangeText(first: bigint, last: bigint): string {
  return first === last ? `${first}` : `${first}-${last}`;
}

/** One partition's progress during a redrive. */
export class PartitionProgress {
  /** Redriven by earlier runs (from the metadata) and by this one. */
  private readonly done: Set<bigint>;
  private readonly before: bigint[];
  private readonly now: bigint[] = [];
  private firstLeft: bigint | undefined;
  /** Encoded length of the offsets redriven now after the first left behind. */
  private nowListed = new RangesLength();
  /** Encoded length of the earlier offsets after the first left behind. */
  private beforeListedChars = 0;

  /**
   * @param start where reading starts (the committed offset, or the earliest one)
   * @param redrivenBefore offsets listed in the committed metadata
   */
  constructor(
    readonly start: bigint,
    redrivenBefore: Iterable<bigint> = [],
  ) {
    this.before = sortedUnique(redrivenBefore).filter((offset) => offset >= start);
    this.done = new Set(this.before);
  }

  /** Redriven by an earlier run (listed in the metadata): skip it. */
  wasRedriven(offset: bigint): boolean {
    return this.done.has(offset);
  }

  /**
   * Whether marking `offset` redriven still leaves metadata that fits in a commit. Cheap
   * bounds first (offsets come in increasing order); the exact encoding only near the limit.
   */
  fits(offset: bigint): boolean {
    // Nothing left behind yet: the commit will pass `offset`, and what the earlier metadata
    // listed after it fitted before.
    if (this.firstLeft === undefined) return true;
    const prefix = PROGRESS_FORMAT.length + BITMAP.length + 1;
    const rangesBound = prefix + this.nowListed.lengthWith(offset) + 1 + this.beforeListedChars;
    const bitmapBound = prefix + Math.ceil((Number(offset - this.firstLeft) / 8 + 1) * (4 / 3));
    if (Math.min(rangesBound, bitmapBound) <= MAX_METADATA_CHARS) return true;
    const metadata = encodeProgress([...this.done, offset], this.firstLeft);
    return (metadata?.length ?? 0) <= MAX_METADATA_CHARS;
  }

  markRedriven(offset: bigint): void {
    if (this.done.has(offset)) return;
    this.done.add(offset);
    this.now.push(offset);
    if (this.firstLeft !== undefined && offset >= this.firstLeft) this.nowListed.add(offset);
  }

  /** Seen but not redriven (filtered out): the committed offset cannot pass it. */
  markLeft(offset: bigint): void {
    if (this.firstLeft !== undefined && offset >= this.firstLeft) return;
    this.firstLeft = offset;
    this.nowListed = new RangesLength();
    for (const o of sortedUnique(this.now)) if (o >= offset) this.nowListed.add(o);
    this.beforeListedChars = encodeOffsets(this.before.filter((o) => o >= offset)).length;
  }

  /**
   * What to commit once every record before `readUpTo` has been decided: the first record
   * left behind (else `readUpTo`), with the redriven offsets at or after it as metadata.
   */
  commitAt(readUpTo: bigint): { offset: bigint; metadata: string | null } {
    const offset =
      this.firstLeft !== undefined && this.firstLeft < readUpTo ? this.firstLeft : readUpTo;
    return { offset, metadata: encodeProgress(this.done, offset) };
  }
}
