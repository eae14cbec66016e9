/** @troupe/kit/platformatic: the @platformatic/kafka driver, for code that builds it directly instead of through createKafkaDriver. */
export { PlatformaticDriver } from './driver';
