export { DriftCard } from './DriftCard';
