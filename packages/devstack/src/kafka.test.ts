import { clusterId } from './kafka';

test('a cluster id never starts with "-" (kafka-storage would read it as an option)', () => {
  // 0xfb… encodes to "-…" in base64url: the first draw is refused, the second kept.
  const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x41)];
  const id = clusterId(() => draws.shift()!);
  expect(id).toBe(Buffer.alloc(16, 0x41).toString('base64url'));
  expect(draws).toHaveLength(0);
  for (let i = 0; i < 2_000; i++) {
    const random = clusterId();
    expect(random).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  }
});
