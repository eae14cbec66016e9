/** The kit's TROUPE_* settings, declared with their schemas in config/service-config.ts. */
export { KIT_SETTINGS as SETTINGS } from './config/service-config';
