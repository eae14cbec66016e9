import { parseReleaseRequest } from './release-request';

describe('POST /releases body', () => {
  it('accepts a valid request and defaults requestedBy', () => {
    expect(
      parseReleaseRequest({ service: 'checkout', version: '2.4.0-rc.1', canaryShare: 0.2 }),
    ).toEqual({
      ok: true,
      value: { service: 'checkout', version: '2.4.0-rc.1', canaryShare: 0.2, requestedBy: 'api' },
    });
  });

  it.each([
    [null, 'body'],
    [[], 'body'],
    [{ version: '1', canaryShare: 0.1 }, 'service'],
    [{ service: 'Checkout!', version: '1', canaryShare: 0.1 }, 'service'],
    [{ service: 'checkout', canaryShare: 0.1 }, 'version'],
    [{ service: 'checkout', version: 'has space', canaryShare: 0.1 }, 'version'],
    [{ service: 'checkout', version: '1' }, 'canaryShare'],
    [{ service: 'checkout', version: '1', canaryShare: '0.1' }, 'canaryShare'],
    [{ service: 'checkout', version: '1', canaryShare: 0 }, 'canaryShare'],
    [{ service: 'checkout', version: '1', canaryShare: 1.5 }, 'canaryShare'],
    [{ service: 'checkout', version: '1', canaryShare: 0.1, requestedBy: '' }, 'requestedBy'],
    [{ service: 'checkout', version: '1', canaryShare: 0.1, share: 0.3 }, 'share'],
  ])('rejects %j naming the field %s', (body, field) => {
    const parsed = parseReleaseRequest(body);
    expect(parsed).toMatchObject({ ok: false, field });
    expect(parsed.ok ? '' : parsed.message).toMatch(new RegExp(`^${field}: expected `));
  });
});
