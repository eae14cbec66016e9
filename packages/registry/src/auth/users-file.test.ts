import { CredentialCheck } from './credentials';
import { parseUsersFile } from './users-file';

describe('parseUsersFile', () => {
  it('reads Confluent password-file lines, comments and blank lines skipped', () => {
    const text = [
      '# users of the registry',
      'troupe: s3cret,read-write',
      '',
      '  reader : also-secret , read-only  ',
      '! a properties comment',
      'both=pw,read-only,read-write',
    ].join('\n');
    expect(parseUsersFile(text)).toEqual([
      { username: 'troupe', password: 's3cret', role: 'read-write' },
      { username: 'reader', password: 'also-secret', role: 'read-only' },
      { username: 'both', password: 'pw', role: 'read-write' },
    ]);
  });

  it.each([
    ['no separator', '# c\n\njust-a-word', /^line 3: not an account/],
    ['no password', 'bob: ,read-only', /^line 1: user bob has no password/],
    ['no role', 'bob: pw', /^line 1: user bob has no role/],
    ['an unknown role', '#\nbob: pw,admin', /^line 2: user bob has a role that is neither/],
    ['a hashed password', 'bob: MD5:164c88b302622e17050af52c89945d44,read-only', /not supported/],
    [
      'a second entry',
      'bob: a,read-only\nbob: b,read-write',
      /^line 2: user bob is listed a second/,
    ],
    ['no accounts', '# nothing\n', /^no accounts in it$/],
  ])('refuses %s naming the line, never the password', (_case, text, message) => {
    let thrown: Error | undefined;
    try {
      parseUsersFile(text);
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toMatch(message);
    for (const secret of ['pw', '164c88b3', 'admin', 'just-a-word'])
      expect(thrown?.message).not.toContain(secret);
  });

  it('never quotes a password with a comma in it (its tail would read as a role)', () => {
    expect(() => parseUsersFile('bob: pass,w0rd9,read-write')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('w0rd9') }),
    );
  });
});

describe('CredentialCheck', () => {
  const check = new CredentialCheck(
    parseUsersFile('troupe: s3cret:with:colons,read-write\nreader: r,read-only'),
  );
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

  it('lets in the right password only', () => {
    expect(check.verify(basic('troupe:s3cret:with:colons'))).toMatchObject({ role: 'read-write' });
    expect(check.verify(basic('reader:r'))).toMatchObject({ role: 'read-only' });
    for (const wrong of [
      basic('troupe:s3cret'),
      basic('troupe:'),
      basic('nobody:r'),
      basic('reader'),
      'Bearer abc',
      undefined,
      '',
    ])
      expect(check.verify(wrong)).toBeUndefined();
  });
});
