/** The Avro contract of the runtime tests (no imports, so child processes can load it cheaply). */
export const testSchemas = [
  {
    type: 'record',
    name: 'Counted',
    namespace: 'test.runtime',
    fields: [
      { name: 'key', type: 'string' },
      { name: 'seq', type: 'int' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  },
  {
    type: 'record',
    name: 'Noted',
    namespace: 'test.runtime',
    fields: [{ name: 'text', type: 'string' }],
  },
];
