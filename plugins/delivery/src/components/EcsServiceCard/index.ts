export { EcsServiceCard } from './EcsServiceCard';
