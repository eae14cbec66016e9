import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { TopicSpec } from '@troupe/kit/internal';
import { loadContracts } from '../schemas/contracts';
import { defaultGeneratedFile, renderContracts } from '../schemas/generate';
import { GENERATED_HEADER, generateContractsSource, type ContractSchema } from './typegen';

const REPO = path.resolve(__dirname, '../../../..');

const shipment: ContractSchema = {
  name: 'test.shipping.ShipmentSent',
  source: 'shipping/ShipmentSent.avsc',
  schema: {
    type: 'record',
    name: 'ShipmentSent',
    namespace: 'test.shipping',
    doc: 'A parcel left the warehouse. Never */ close comments early.',
    fields: [
      { name: 'shipmentId', type: 'string', doc: 'Aggregate key.' },
      { name: 'sentAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'weightGrams', type: 'int' },
      { name: 'declaredValue', type: ['null', 'double'], default: null },
      { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
      { name: 'attributes', type: { type: 'map', values: 'long' } },
      { name: 'label', type: 'bytes' },
      { name: 'checksum', type: { type: 'fixed', name: 'Md5', size: 16 } },
      { name: 'priority', type: { type: 'enum', name: 'Priority', symbols: ['LOW', 'HIGH'] } },
      {
        name: 'address',
        type: {
          type: 'record',
          name: 'Address',
          fields: [
            { name: 'city', type: 'string' },
            { name: 'priority', type: 'Priority' },
          ],
        },
      },
      { name: 'returnAddress', type: ['null', 'Address'], default: null },
    ],
  },
};

const otherPriority: ContractSchema = {
  name: 'test.billing.InvoiceIssued',
  source: 'billing/InvoiceIssued.avsc',
  schema: {
    type: 'record',
    name: 'InvoiceIssued',
    namespace: 'test.billing',
    fields: [
      { name: 'invoiceId', type: 'string' },
      { name: 'priority', type: { type: 'enum', name: 'Priority', symbols: ['NORMAL', 'URGENT'] } },
    ],
  },
};

const topics: TopicSpec[] = [
  {
    name: 'shipping.events',
    partitions: 3,
    config: {},
    eventTypes: ['test.shipping.ShipmentSent'],
  },
  {
    name: 'billing.events',
    partitions: 1,
    config: { 'retention.ms': '1000' },
    eventTypes: ['test.billing.InvoiceIssued'],
  },
];

describe('generateContractsSource', () => {
  const source = generateContractsSource([shipment, otherPriority], topics);

  it('starts with the do-not-edit header', () => {
    expect(source.startsWith(GENERATED_HEADER)).toBe(true);
  });

  it('maps every Avro type to the TypeScript type avsc decodes it to', () => {
    expect(source).toContain(
      [
        '/** A parcel left the warehouse. Never *\\/ close comments early. */',
        'export interface ShipmentSent {',
        '  /** Aggregate key. */',
        '  shipmentId: string;',
        '  sentAt: Date;',
        '  weightGrams: number;',
        '  declaredValue: number | null;',
        '  tags: (string | null)[];',
        '  attributes: Record<string, number>;',
        '  label: Buffer;',
        '  checksum: Md5;',
        '  priority: ShippingPriority;',
        '  address: Address;',
        '  returnAddress: Address | null;',
        '}',
      ].join('\n'),
    );
    expect(source).toContain(
      'export interface Address {\n  city: string;\n  priority: ShippingPriority;\n}',
    );
    expect(source).toContain('export type Md5 = Buffer;');
  });

  it('gives same-named types of different namespaces distinct names', () => {
    expect(source).toContain("export type ShippingPriority = 'LOW' | 'HIGH';");
    expect(source).toContain("export type BillingPriority = 'NORMAL' | 'URGENT';");
    expect(source).toContain('  priority: BillingPriority;');
  });

  it('maps event types to payload types, and names topics', () => {
    expect(source).toContain(
      "export interface EventTypes {\n  'test.billing.InvoiceIssued': InvoiceIssued;\n  'test.shipping.ShipmentSent': ShipmentSent;\n}",
    );
    expect(source).toContain("  ShipmentSent: 'test.shipping.ShipmentSent',");
    expect(source).toContain(
      "export const Topics = {\n  shippingEvents: 'shipping.events',\n  billingEvents: 'billing.events',\n} as const;",
    );
    expect(source).toContain("  'test.shipping.ShipmentSent': 'shipping.events',");
    expect(source).toContain(
      `export const topicSpecs: TopicSpec[] = ${JSON.stringify(topics, null, 2)};`,
    );
  });

  it('embeds the schemas as written', () => {
    const embedded = /export const schemaSources: SchemaSource\[\] = ([^]*);\n$/.exec(source)?.[1];
    expect(JSON.parse(embedded!)).toEqual([
      { source: otherPriority.source, schema: otherPriority.schema },
      { source: shipment.source, schema: shipment.schema },
    ]);
  });

  it('refuses an event type that no topic carries', () => {
    expect(() => generateContractsSource([shipment, otherPriority], topics.slice(0, 1))).toThrow(
      'event types on no topic in topics.json: test.billing.InvoiceIssued',
    );
  });
});

describe('packages/contracts/src/generated.ts', () => {
  it('is up to date with schemas/ (run `npm run schemas:generate` if this fails)', async () => {
    const contracts = await loadContracts(path.join(REPO, 'schemas'), REPO);
    const committed = await readFile(defaultGeneratedFile(contracts), 'utf8');
    expect(committed).toBe(renderContracts(contracts));
  });
});
