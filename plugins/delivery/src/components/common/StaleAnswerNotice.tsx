import { StaleAnswer } from '@cicd-aws/plugin-delivery-common';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { DeliverySource } from './DeliveryErrorPanel';
import { humaniseAge, staleAnswerAgeSeconds } from './staleAnswer';
import { absoluteTime } from './time';

/** How often the shown age moves on while the notice is up. */
const AGE_TICK_MS = 15_000;

const upstreamOf: Record<DeliverySource, string> = {
  aws: 'AWS ECS',
  github: 'GitHub',
};

/**
 * Says that a card shows the backend's last good answer, because refreshing it from AWS or
 * GitHub failed: how old it is, and why. Renders nothing for a fresh answer. The card shows the
 * answer itself under it as usual, and keeps reloading until a fresh one comes.
 */
export function StaleAnswerNotice(props: {
  staleAnswer?: StaleAnswer;
  source: DeliverySource;
  /** What could not be reached, when not the source's name: "GitHub Deployments". */
  upstream?: string;
}) {
  const { staleAnswer, source } = props;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!staleAnswer) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), AGE_TICK_MS);
    return () => clearInterval(timer);
  }, [staleAnswer]);
  if (!staleAnswer) return null;

  const age = humaniseAge(staleAnswerAgeSeconds(staleAnswer, now));
  const upstream = props.upstream ?? upstreamOf[source];
  // The backend's reasons end with a full stop; the sentence around them adds its own.
  const reason = staleAnswer.reason.trim().replace(/\.+$/, '');
  return (
    <Alert
      severity="warning"
      style={{ marginBottom: 8 }}
      title={absoluteTime(staleAnswer.fetchedAt)}
    >
      Showing the answer from {age} ago: {upstream} could not be reached
      {reason ? ` (${reason})` : ''}. It updates by itself when the connection
      is back.
    </Alert>
  );
}
