import { parseAvroType } from '@troupe/kit/internal';
import { describeProblem, payloadFromJson } from './json-payload';

const type = parseAvroType({
  type: 'record',
  name: 'Shipped',
  namespace: 'troupe.test',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'count', type: 'long' },
    { name: 'attempt', type: 'int' },
    { name: 'shippedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    {
      name: 'deliveredAt',
      type: ['null', { type: 'long', logicalType: 'timestamp-millis' }],
      default: null,
    },
    { name: 'note', type: ['null', 'string'], default: null },
    {
      name: 'carrier',
      type: { type: 'enum', name: 'Carrier', symbols: ['UPS', 'DHL'] },
    },
    { name: 'labels', type: { type: 'map', values: 'string' } },
    {
      name: 'parcels',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Parcel',
          fields: [
            { name: 'weightGrams', type: 'int' },
            { name: 'packedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
          ],
        },
      },
    },
    { name: 'signature', type: 'bytes' },
    { name: 'checksum', type: { type: 'fixed', name: 'Checksum', size: 2 } },
  ],
});

const valid = {
  orderId: 'o-1',
  count: 9_007_199_254_740_990,
  attempt: 2,
  shippedAt: '2026-12-02T10:00:00Z',
  carrier: 'DHL',
  labels: { fragile: 'yes' },
  parcels: [{ weightGrams: 1200, packedAt: '2026-12-02T09:00:00.250+01:00' }],
  signature: Buffer.from('signed').toString('base64'),
  checksum: 'AQI=',
};

const problemOf = (json: unknown) => {
  const result = payloadFromJson(type, json);
  if (result.ok) throw new Error('expected a problem');
  return describeProblem(result.problem);
};

describe('payloadFromJson', () => {
  it('turns JSON shaped like the generated types into what avsc writes', () => {
    const result = payloadFromJson(type, valid);
    expect(result.ok).toBe(true);
    const value = (result as { value: Record<string, unknown> }).value;
    expect(value.shippedAt).toEqual(new Date('2026-12-02T10:00:00Z'));
    expect((value.parcels as { packedAt: Date }[])[0]!.packedAt).toEqual(
      new Date('2026-12-02T08:00:00.250Z'),
    );
    expect(value.signature).toEqual(Buffer.from('signed'));
    expect(value.checksum).toEqual(Buffer.from([1, 2]));
    expect(value.count).toBe(9_007_199_254_740_990);
    // Optional fields may be left out (avsc writes their default) or given as plain values.
    expect('note' in value).toBe(false);
    expect(type.isValid(value)).toBe(true);
    const given = payloadFromJson(type, {
      ...valid,
      note: 'leave at the door',
      deliveredAt: '2026-12-03T10:00:00Z',
    });
    expect(given).toMatchObject({
      ok: true,
      value: { note: 'leave at the door', deliveredAt: new Date('2026-12-03T10:00:00Z') },
    });
    expect(payloadFromJson(type, { ...valid, note: null, deliveredAt: null }).ok).toBe(true);
  });

  it.each([
    [
      { ...valid, shippedAt: 'yesterday' },
      'at shippedAt: expected an ISO-8601 time such as 2026-12-02T10:00:00Z (timestamp-millis), found string "yesterday"',
    ],
    [
      { ...valid, shippedAt: 1764669600000 },
      'at shippedAt: expected an ISO-8601 time such as 2026-12-02T10:00:00Z (timestamp-millis), found number 1764669600000',
    ],
    [
      { ...valid, deliveredAt: 'soon' },
      'at deliveredAt: expected null or an ISO-8601 time such as 2026-12-02T10:00:00Z (timestamp-millis), found string "soon"',
    ],
    [
      { ...valid, count: 1.5 },
      'at count: expected an integer (long, up to ±9007199254740990), found number 1.5',
    ],
    [
      { ...valid, attempt: 2 ** 31 },
      'at attempt: expected an integer (int, 32-bit), found number 2147483648',
    ],
    [
      { ...valid, carrier: 'FEDEX' },
      'at carrier: expected one of "UPS", "DHL", found string "FEDEX"',
    ],
    [
      { ...valid, labels: { fragile: true } },
      'at labels.fragile: expected a string, found boolean true',
    ],
    [
      { ...valid, parcels: [valid.parcels[0], { weightGrams: 'heavy', packedAt: '2026-12-02' }] },
      'at parcels.1.weightGrams: expected an integer (int, 32-bit), found string "heavy"',
    ],
    [
      { ...valid, orderId: undefined },
      'at orderId: expected a string, found nothing (the field is missing)',
    ],
    [
      { ...valid, checksum: 'AQID' },
      'at checksum: expected base64 text of 2 bytes (fixed), found string "AQID"',
    ],
    [
      { ...valid, signature: 'not base64!' },
      'at signature: expected base64 text (bytes), found string "not base64!"',
    ],
    [
      [valid],
      'at (the payload itself): expected an object (record troupe.test.Shipped), found array [{"orderId":"o-1",' +
        '"count":9007199254740990,"attempt":2,"shippedAt":"2026-12-0...',
    ],
  ])('names the path and the expected type: %#', (json, message) => {
    expect(problemOf(json)).toBe(message);
  });

  it('refuses a field the schema does not declare (a typo would otherwise be dropped)', () => {
    expect(problemOf({ ...valid, orderID: 'o-1' })).toBe(
      'at orderID: expected no such field (troupe.test.Shipped has orderId, count, attempt, shippedAt, deliveredAt, note, carrier, labels, parcels, signature, checksum), found string "o-1"',
    );
    expect(problemOf({ ...valid, parcels: [{ ...valid.parcels[0], grams: 1 }] })).toMatch(
      /^at parcels\.0\.grams: expected no such field \(troupe\.test\.Parcel has weightGrams, packedAt\)/,
    );
  });
});
