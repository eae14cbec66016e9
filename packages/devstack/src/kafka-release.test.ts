import { SettingError } from './errors';
import { DEFAULT_KAFKA_RELEASE, KAFKA_RELEASES, kafkaRelease } from './kafka-release';

const withSetting = (value: string | undefined) => ({ TROUPE_KAFKA_VERSION: value });

describe('TROUPE_KAFKA_VERSION', () => {
  it('unset or empty selects the default, the newest 4.x tested', () => {
    expect(kafkaRelease({})).toBe(DEFAULT_KAFKA_RELEASE);
    expect(kafkaRelease(withSetting(''))).toBe(DEFAULT_KAFKA_RELEASE);
    expect(kafkaRelease(withSetting('  '))).toBe(DEFAULT_KAFKA_RELEASE);
    expect(DEFAULT_KAFKA_RELEASE).toMatchObject({ version: '4.4.0', logging: 'log4j2' });
  });

  it.each([
    ['4.4', '4.4.0'],
    ['4.4.0', '4.4.0'],
    ['3.9', '3.9.1'],
    ['3.9.1', '3.9.1'],
    [' 3.9\n', '3.9.1'],
  ])('%j selects Kafka %s', (value, version) => {
    expect(kafkaRelease(withSetting(value)).version).toBe(version);
  });

  it('3.9 keeps log4j 1 (reload4j) and its own pom; 4.x uses log4j2', () => {
    expect(kafkaRelease(withSetting('3.9'))).toMatchObject({
      pom: '3.x/pom.xml',
      logging: 'log4j',
    });
    expect(kafkaRelease(withSetting('4.4'))).toMatchObject({
      pom: '4.x/pom.xml',
      logging: 'log4j2',
    });
  });

  it.each(['4', '4.1', '3.9.0', '4.4.0-rc1', 'latest', '3.9 4.4'])(
    '%j is refused in one line naming the setting and every accepted value',
    (value) => {
      let thrown: unknown;
      try {
        kafkaRelease(withSetting(value));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SettingError);
      expect((thrown as SettingError).code).toBe('INVALID_SETTING');
      expect((thrown as Error).message).toBe(
        `TROUPE_KAFKA_VERSION=${JSON.stringify(value)} is not accepted: use 4.4 or 4.4.0 (the default), 3.9 or 3.9.1`,
      );
    },
  );

  it('a value with a line break is still reported on one line', () => {
    expect(() => kafkaRelease(withSetting('4.4\n3.9'))).toThrow(
      'TROUPE_KAFKA_VERSION="4.4\\n3.9" is not accepted',
    );
  });

  it('every release names a distinct short and full version', () => {
    const names = KAFKA_RELEASES.flatMap((r) => [r.line, r.version]);
    expect(new Set(names).size).toBe(names.length);
    for (const r of KAFKA_RELEASES) expect(r.version.startsWith(`${r.line}.`)).toBe(true);
  });
});
