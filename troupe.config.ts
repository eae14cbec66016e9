import { Events } from '@troupe/contracts';
import { defineCatalog } from '@troupe/kit';

/**
 * The system catalog: the files that describe this project's services (each default-exports a
 * definition built without connecting), read by `npx troupe graph`, `npx troupe graph --check`
 * and `npx troupe asyncapi`.
 */
export default defineCatalog({
  services: [
    'services/releases/src/catalog.ts',
    'services/verifier/src/catalog.ts',
    'services/canary/src/catalog.ts',
    'services/telemetry/src/catalog.ts',
    'services/watchdog/src/catalog.ts',
    'services/rollback/src/catalog.ts',
    'services/notifier/src/catalog.ts',
  ],
  schemas: 'schemas',
  allow: [
    {
      rule: 'unconsumed',
      eventType: Events.AlertRaised,
      reason:
        'alerts are for people: the notifier posts each to a webhook; the topic is their record',
    },
  ],
});
