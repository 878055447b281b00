import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { branchChoices, FilterOptions, workflowChoices } from './pipelineRuns';

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <FormControl
      size="small"
      variant="outlined"
      style={{ minWidth: 180, marginRight: 16 }}
    >
      <InputLabel id={`${props.id}-label`}>{props.label}</InputLabel>
      <Select
        labelId={`${props.id}-label`}
        id={props.id}
        label={props.label}
        value={props.value}
        onChange={e => props.onChange(String(e.target.value))}
      >
        <MenuItem value="">All</MenuItem>
        {props.options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** Workflow and branch filters, offering what the runs seen so far had ("" = all). */
export function RunFilters(props: {
  options: FilterOptions;
  workflow: string;
  branch: string;
  onWorkflowChange: (workflow: string) => void;
  onBranchChange: (branch: string) => void;
}) {
  return (
    <Box display="flex" flexWrap="wrap" mb={1}>
      <FilterSelect
        id="delivery-runs-workflow"
        label="Workflow"
        value={props.workflow}
        options={workflowChoices(props.options)}
        onChange={props.onWorkflowChange}
      />
      <FilterSelect
        id="delivery-runs-branch"
        label="Branch"
        value={props.branch}
        options={branchChoices(props.options)}
        onChange={props.onBranchChange}
      />
    </Box>
  );
}
