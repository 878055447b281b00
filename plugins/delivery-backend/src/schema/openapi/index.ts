import type { ApiRouter } from '@backstage/backend-openapi-utils';
import type { spec } from './generated/router';

export { createOpenApiRouter, spec } from './generated/router';

/** The plugin's router, its routes typed from the OpenAPI document. */
export type DeliveryRouter = ApiRouter<typeof spec>;
