import { MissingAnnotationEmptyState } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';

/**
 * A card's or the tab's missing annotation: Backstage's own empty state (which annotation, the
 * YAML to add), with an example value, since ours are not on Backstage's well-known list.
 */
export function MissingAnnotation(props: {
  annotation: string;
  /** A value of the right shape, e.g. an ECS service ARN. */
  example: string;
}) {
  return (
    <>
      <MissingAnnotationEmptyState annotation={props.annotation} />
      <Typography variant="body2" component="p">
        For example: <code>{`${props.annotation}: ${props.example}`}</code>
      </Typography>
    </>
  );
}
