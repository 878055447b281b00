import { ResponseError } from '@backstage/errors';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { ReactNode } from 'react';

/** Which upstream a card reads, for the "not configured" advice. */
export type DeliverySource = 'aws' | 'github';

const statusOf = (error: Error) =>
  error instanceof ResponseError || error.name === 'ResponseError'
    ? (error as ResponseError).statusCode
    : undefined;

/** The backend's own message (Backstage error body), else the error's. */
export const messageOf = (error: Error) =>
  (error as Partial<ResponseError>).body?.error?.message ?? error.message;

interface Advice {
  title: string;
  severity: 'error' | 'warning' | 'info';
  todo?: ReactNode;
}

function adviceFor(error: Error, source: DeliverySource, what: string): Advice {
  const status = statusOf(error);
  const message = messageOf(error);
  if (status === 503 && /not configured/i.test(message)) {
    return source === 'aws'
      ? {
          title: 'AWS is not configured',
          severity: 'info',
          todo: (
            <>
              Ask the portal's administrators to add <code>aws.accounts</code>{' '}
              (or <code>aws.mainAccount</code>) to the backend's app-config, as
              the delivery backend's README describes.
            </>
          ),
        }
      : {
          title: 'GitHub is not configured',
          severity: 'info',
          todo: (
            <>
              Ask the portal's administrators to add a GitHub App or token under{' '}
              <code>integrations.github</code> in the backend's app-config.
            </>
          ),
        };
  }
  if (status === 503 || status === 429) {
    return {
      title: `${source === 'aws' ? 'AWS' : 'GitHub'} is busy`,
      severity: 'warning',
      todo: 'Try again in a few seconds.',
    };
  }
  if (status === 403) {
    return {
      title: 'Access denied',
      severity: 'error',
      todo: 'The message names the permission or action that is missing; ask the service owners or the portal administrators for it.',
    };
  }
  if (status === 401) {
    return {
      title: 'Not signed in',
      severity: 'error',
      todo: 'Sign in again and reload the page.',
    };
  }
  if (status === 404) {
    return {
      title: 'Not found',
      severity: 'error',
      todo: 'Check the annotations of this entity in its catalog-info.yaml.',
    };
  }
  if (status === 400) {
    return {
      title: `Could not load ${what}`,
      severity: 'error',
      todo: 'Check the annotations of this entity in its catalog-info.yaml.',
    };
  }
  return { title: `Could not load ${what}`, severity: 'error' };
}

/**
 * A card's failure, saying what happened and what to do about it, with a retry button.
 */
export function DeliveryErrorPanel(props: {
  error: Error;
  source: DeliverySource;
  /** What the card shows, e.g. "the ECS service". */
  what: string;
  onRetry?: () => void;
}) {
  const { error, source, what, onRetry } = props;
  const advice = adviceFor(error, source, what);
  return (
    <Alert
      severity={advice.severity}
      action={
        onRetry && (
          <Button color="inherit" size="small" onClick={onRetry}>
            Try again
          </Button>
        )
      }
    >
      <AlertTitle>{advice.title}</AlertTitle>
      <Typography variant="body2" component="p">
        {messageOf(error)}
      </Typography>
      {advice.todo && (
        <Typography variant="body2" component="p">
          {advice.todo}
        </Typography>
      )}
    </Alert>
  );
}
