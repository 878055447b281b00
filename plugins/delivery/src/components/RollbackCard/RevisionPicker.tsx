import { EcsRollbackTarget } from '@cicd-aws/plugin-delivery-common';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import { relativeTime } from '../common/time';

function TargetLabel({ target }: { target: EcsRollbackTarget }) {
  return (
    <span>
      Revision {target.revision}
      {target.lastCompleted && (
        <>
          {' '}
          <strong>(last completed)</strong>
        </>
      )}
      {target.registeredAt &&
        ` · registered ${relativeTime(target.registeredAt)}`}
      {target.images[0] && (
        <>
          {' · '}
          <code>{target.images[0].image}</code>
        </>
      )}
    </span>
  );
}

/**
 * The earlier ACTIVE revisions as radio buttons. Nothing is preselected: rolling back to the
 * wrong revision is worse than one more click.
 */
export function RevisionPicker(props: {
  targets: EcsRollbackTarget[];
  selected?: number;
  onSelect: (revision: number) => void;
  /** "revision 3", what runs now. */
  currentText: string;
}) {
  const { targets, selected, onSelect, currentText } = props;
  return (
    <FormControl component="fieldset" margin="dense">
      <FormLabel component="legend">
        Target revision (currently running {currentText})
      </FormLabel>
      <RadioGroup
        aria-label="Target revision"
        name="rollback-target"
        value={selected === undefined ? '' : String(selected)}
        onChange={e => onSelect(Number(e.target.value))}
      >
        {targets.map(t => (
          <FormControlLabel
            key={t.revision}
            value={String(t.revision)}
            control={<Radio />}
            label={<TargetLabel target={t} />}
          />
        ))}
      </RadioGroup>
    </FormControl>
  );
}
