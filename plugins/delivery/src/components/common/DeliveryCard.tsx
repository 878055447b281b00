import { InfoCard } from '@backstage/core-components';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import Refresh from '@material-ui/icons/Refresh';
import { ReactNode } from 'react';
import {
  DeliveryErrorPanel,
  DeliverySource,
  messageOf,
} from './DeliveryErrorPanel';

/**
 * The frame every Deployment-tab card shares: its own loading bar, refresh button and error, so
 * one card's trouble never blanks another. A failed refresh keeps the data it had and says so.
 */
export function DeliveryCard(props: {
  title: string;
  source: DeliverySource;
  /** What the card shows, for messages: "the ECS service". */
  what: string;
  loading?: boolean;
  refreshing?: boolean;
  error?: Error;
  hasData?: boolean;
  loadedAt?: Date;
  onRefresh?: () => void;
  subheader?: ReactNode;
  children?: ReactNode;
}) {
  const {
    title,
    source,
    what,
    loading,
    refreshing,
    error,
    hasData,
    loadedAt,
    onRefresh,
  } = props;
  let body: ReactNode;
  if (loading) {
    body = null;
  } else if (error && !hasData) {
    body = (
      <DeliveryErrorPanel
        error={error}
        source={source}
        what={what}
        onRetry={onRefresh}
      />
    );
  } else {
    body = (
      <>
        {error && (
          <Alert severity="warning" style={{ marginBottom: 8 }}>
            Could not refresh {what}: {messageOf(error)}
            {loadedAt &&
              ` (showing what was loaded at ${loadedAt.toLocaleTimeString()})`}
          </Alert>
        )}
        {props.children}
      </>
    );
  }
  return (
    <InfoCard
      title={title}
      subheader={props.subheader}
      action={
        onRefresh && (
          <IconButton
            aria-label={`Refresh ${title}`}
            title={`Refresh ${title}`}
            onClick={onRefresh}
            disabled={loading || refreshing}
          >
            <Refresh />
          </IconButton>
        )
      }
    >
      {(loading || refreshing) && (
        <LinearProgress
          aria-label={`${loading ? 'Loading' : 'Refreshing'} ${what}`}
          style={{ marginBottom: 8 }}
        />
      )}
      {loading && (
        <Typography variant="body2" color="textSecondary">
          Loading {what}…
        </Typography>
      )}
      {body}
    </InfoCard>
  );
}
