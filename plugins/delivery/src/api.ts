import { createApiRef } from '@backstage/core-plugin-api';
import type { DeliveryApi } from '@cicd-aws/plugin-delivery-common';

/**
 * The delivery backend's API. A core-plugin-api ref, so the one ref serves the legacy and the new
 * frontend system alike.
 *
 * @public
 */
export const deliveryApiRef = createApiRef<DeliveryApi>({
  id: 'plugin.delivery.api',
});
