import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_KAFKA_RELEASE, KAFKA_RELEASES } from '@troupe/devstack';
import { containerImages } from './images';

describe('container images', () => {
  it('every Kafka release the devstack offers has its Confluent Platform image', () => {
    expect(containerImages(KAFKA_RELEASES.find((r) => r.line === '4.4')!).kafka).toBe(
      'confluentinc/cp-kafka:8.4.0',
    );
    expect(containerImages(KAFKA_RELEASES.find((r) => r.line === '3.9')!).kafka).toBe(
      'confluentinc/cp-kafka:7.9.0',
    );
    for (const release of KAFKA_RELEASES) {
      const images = containerImages(release);
      // Broker and registry come from one Confluent Platform release.
      expect(images.schemaRegistry.split(':')[1]).toBe(images.kafka.split(':')[1]);
    }
  });

  it("docker-compose.yml runs the default release's images", () => {
    const compose = readFileSync(path.resolve(__dirname, '../../../docker-compose.yml'), 'utf8');
    const images = [...compose.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
    const expected = containerImages(DEFAULT_KAFKA_RELEASE);
    for (const image of Object.values(expected)) expect(images).toContain(image);
  });
});
