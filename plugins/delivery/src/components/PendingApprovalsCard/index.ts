export { PendingApprovalsCard } from './PendingApprovalsCard';
