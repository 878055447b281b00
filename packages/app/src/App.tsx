import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import deliveryPlugin from '@cicd-aws/plugin-delivery/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { scmAuthModule } from './modules/scmAuth';
import { signInModule } from './modules/signIn';

export default createApp({
  features: [
    catalogPlugin,
    deliveryPlugin,
    navModule,
    homeModule,
    signInModule,
    scmAuthModule,
  ],
});
