export { RollbackCard } from './RollbackCard';
