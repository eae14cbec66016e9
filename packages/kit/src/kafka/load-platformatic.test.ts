import { ConfigError } from '../errors';
import { createKafkaDriver } from './create-driver';
import { PLATFORMATIC_MIN_NODE, loadPlatformaticDriver } from './load-platformatic';

const runsHere = loadable();

function loadable(): boolean {
  try {
    loadPlatformaticDriver(process.versions.node, () => ({}) as never);
    return true;
  } catch {
    return false;
  }
}

function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected it to throw');
}

test('an older Node.js is refused in one line naming the setting, the version found and the one needed', () => {
  const error = thrown(() => loadPlatformaticDriver('20.19.1', () => ({}) as never));
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).toBe(
    'TROUPE_KAFKA_DRIVER=platformatic: expected Node.js >= 22.22.0 (what @platformatic/kafka runs on; ' +
      'kafkajs, the default, runs here), found "v20.19.1"',
  );
  expect(thrown(() => loadPlatformaticDriver('22.21.9', () => ({}) as never)).message).toContain(
    '"v22.21.9"',
  );
});

test('a Node.js at or past the minimum loads the module', () => {
  const PlatformaticDriver = class {};
  for (const version of [PLATFORMATIC_MIN_NODE, '22.100.0', '24.6.0', '25.0.0'])
    expect(loadPlatformaticDriver(version, () => ({ PlatformaticDriver }) as never)).toBe(
      PlatformaticDriver,
    );
});

test('a missing @platformatic/kafka names the package to install', () => {
  const missing = () => {
    throw Object.assign(new Error("Cannot find module '@platformatic/kafka'"), {
      code: 'MODULE_NOT_FOUND',
    });
  };
  const error = thrown(() => loadPlatformaticDriver('24.0.0', missing));
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).toBe(
    'TROUPE_KAFKA_DRIVER=platformatic: expected the @platformatic/kafka package, found it not installed: ' +
      'npm install @platformatic/kafka',
  );
});

test("any other failure to load, a missing dependency of the library's included, is not disguised", () => {
  const broken = Object.assign(new Error("Cannot find module 'mnemonist'"), {
    code: 'MODULE_NOT_FOUND',
  });
  expect(
    thrown(() =>
      loadPlatformaticDriver('24.0.0', () => {
        throw broken;
      }),
    ),
  ).toBe(broken);
});

(runsHere ? test : test.skip)(
  `createKafkaDriver loads the platformatic driver (Node.js >= ${PLATFORMATIC_MIN_NODE})`,
  () => {
    const driver = createKafkaDriver(
      { driver: 'platformatic', brokers: ['127.0.0.1:1'], ssl: false },
      { clientId: 'test' },
    );
    expect(driver.name).toBe('platformatic');
  },
);

(runsHere ? test.skip : test)(
  `createKafkaDriver refuses the platformatic driver (Node.js < ${PLATFORMATIC_MIN_NODE})`,
  () => {
    const error = thrown(() =>
      createKafkaDriver(
        { driver: 'platformatic', brokers: ['127.0.0.1:1'], ssl: false },
        { clientId: 'test' },
      ),
    );
    expect(error.message).toContain(`found "v${process.versions.node}"`);
  },
);
