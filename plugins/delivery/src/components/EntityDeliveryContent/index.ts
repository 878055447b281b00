export { EntityDeliveryContent } from './EntityDeliveryContent';
export type { DeliveryPollIntervals } from './EntityDeliveryContent';
