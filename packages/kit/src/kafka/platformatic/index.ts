/**
 * @troupe/kit/platformatic: the @platformatic/kafka driver, for code that builds it directly instead of through createKafkaDriver.
 *
 * @packageDocumentation
 * @module @troupe/kit/platformatic
 */
export { PlatformaticDriver } from './driver';
