import { addServiceFile } from './catalog-entry';

describe('addServiceFile', () => {
  it.each([
    ["services: ['a.ts']", "services: ['a.ts',\n'b.ts',]"],
    ["services: ['a.ts',\n  ]", "services: ['a.ts',\n'b.ts',\n  ]"],
    ['services: []', "services: [\n'b.ts',]"],
  ])('adds the file at the end of %j', (list, expected) => {
    expect(addServiceFile(`defineCatalog({ ${list}, schemas: 'schemas' })`, 'b.ts')).toBe(
      `defineCatalog({ ${expected}, schemas: 'schemas' })`,
    );
  });

  it('refuses a config whose services are not a list of file names', () => {
    expect(() => addServiceFile('defineCatalog({ services: files })', 'b.ts')).toThrow(
      'has no services: [ … ] list of file names',
    );
    expect(() => addServiceFile('defineCatalog({ services: [...files] })', 'b.ts')).toThrow(
      'has no services',
    );
  });
});
