import * as deploy from './commands/deploy.ts';
import * as driftIssue from './commands/driftIssue.ts';
import * as driftReport from './commands/driftReport.ts';
import * as githubDeployment from './commands/githubDeployment.ts';
import * as migrate from './commands/migrate.ts';
import * as planSummary from './commands/planSummary.ts';
import * as registerTaskDefinition from './commands/registerTaskDefinition.ts';
import * as rollback from './commands/rollback.ts';
import * as terraformOutputs from './commands/terraformOutputs.ts';
import * as uploadFrontend from './commands/uploadFrontend.ts';
import { PipelineError, UsageError } from './lib/errors.ts';

interface Command {
  usage: string;
  run(argv: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  'register-task-definition': registerTaskDefinition,
  deploy,
  rollback,
  migrate,
  'drift-report': driftReport,
  'drift-issue': driftIssue,
  'plan-summary': planSummary,
  'upload-frontend': uploadFrontend,
  'github-deployment': githubDeployment,
  'terraform-outputs': terraformOutputs,
};

function help(): string {
  return `usage: node src/cli.ts <command> [options]\n\n${Object.values(COMMANDS)
    .map(c => c.usage)
    .join('\n\n')}\n`;
}

/** One line per failure; in GitHub Actions an error annotation that shows on the run page. */
function report(message: string): void {
  const line = message.replace(/\r?\n/g, ' ');
  process.stderr.write(process.env.GITHUB_ACTIONS === 'true' ? `::error::${line}\n` : `error: ${line}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    report(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      report(`${name}: ${error.message}`);
      process.stderr.write(`\n${command.usage}\n`);
      return 2;
    }
    if (error instanceof PipelineError) {
      report(`${name}: ${error.message}`);
      return 1;
    }
    // AWS and other unexpected errors: the message, plus the stack for whoever debugs it.
    report(`${name}: ${(error as Error).name}: ${(error as Error).message}`);
    process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
