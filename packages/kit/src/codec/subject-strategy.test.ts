import { ConfigError } from '../errors';
import { DEFAULT_SUBJECT_STRATEGY, parseSubjectStrategy, subjectNamer } from './subject-strategy';

describe('subject naming strategies', () => {
  const topic = 'releases.events';
  const record = 'troupe.releases.Promoted';

  it('topic-name: <topic>-value', () => {
    expect(subjectNamer('topic-name')(topic, record)).toBe('releases.events-value');
  });

  it('record-name: <fullname>', () => {
    expect(subjectNamer('record-name')(topic, record)).toBe('troupe.releases.Promoted');
  });

  it('topic-record-name: <topic>-<fullname>', () => {
    expect(subjectNamer('topic-record-name')(topic, record)).toBe(
      'releases.events-troupe.releases.Promoted',
    );
  });

  it('defaults to topic-record-name, so one topic can carry several event types', () => {
    expect(DEFAULT_SUBJECT_STRATEGY).toBe('topic-record-name');
    expect(subjectNamer()(topic, record)).toBe('releases.events-troupe.releases.Promoted');
  });

  it('accepts a custom function', () => {
    expect(subjectNamer((t, r) => `${r}@${t}`)(topic, record)).toBe(
      'troupe.releases.Promoted@releases.events',
    );
  });

  it('rejects unknown names, naming the variable and the choices', () => {
    expect(() => parseSubjectStrategy('topic', 'TROUPE_SUBJECT_STRATEGY')).toThrow(ConfigError);
    expect(() => parseSubjectStrategy('topic', 'TROUPE_SUBJECT_STRATEGY')).toThrow(
      'TROUPE_SUBJECT_STRATEGY: expected topic-name | record-name | topic-record-name, found "topic"',
    );
    expect(() => subjectNamer('nope' as never)).toThrow(/subjectStrategy/);
  });
});
