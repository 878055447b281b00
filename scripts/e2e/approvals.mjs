// The "Waiting for approval" card in the browser, as the demo's three people meet it: the guest
// (no GitHub identity) sees the waiting deploy and a link to GitHub; pat (another team) signs in
// with GitHub and finds the buttons disabled with the reason; riley (owner and required reviewer)
// signs in with GitHub against the local GitHub, approves in the dialog, and the run proceeds.
// Each person gets their own browser context, so no session leaks between them.
import { join } from 'node:path';

const TAB = '/catalog/default/component/demo-web/deployment';

/** Signs in through the sign-in page's GitHub provider and the local GitHub's authorize page. */
async function signInWithGithub(page, appUrl, login) {
  await page.goto(`${appUrl}${TAB}`, { timeout: 120_000 });
  const github = page
    .getByRole('listitem')
    .filter({ hasText: 'GitHub' })
    .getByRole('button', { name: 'Sign In' });
  await github.waitFor({ timeout: 180_000 });
  const [popup] = await Promise.all([
    page.waitForEvent('popup', { timeout: 30_000 }),
    github.click(),
  ]);
  await popup
    .getByRole('button', { name: `Sign in as ${login}` })
    .click({ timeout: 30_000 });
  await popup.waitForEvent('close', { timeout: 30_000 });
  await page.getByText('Waiting for approval').waitFor({ timeout: 90_000 });
}

export async function approvalChecks({
  context,
  newContext,
  visit,
  page,
  check,
  appUrl,
  artifacts,
}) {
  await check(
    'guest sees demo-web’s waiting deploy with its plan, and a link to review it on GitHub',
    async () => {
      await visit(TAB);
      const card = page
        .locator('div.MuiCard-root')
        .filter({ hasText: 'Waiting for approval' });
      await card.waitFor({ timeout: 90_000 });
      await card
        .getByText(
          /Terraform plan: \d+ to add, \d+ to change, \d+ to replace, \d+ to destroy/,
        )
        .waitFor();
      await card
        .getByRole('table', { name: 'Planned resource changes' })
        .waitFor();
      const first = await card
        .getByRole('table', { name: 'Planned resource changes' })
        .getByRole('row')
        .nth(1)
        .innerText();
      if (!/destroy/.test(first)) {
        throw new Error(`the first planned change is not a destroy: ${first}`);
      }
      await card
        .getByRole('link', { name: /Review this run on GitHub/ })
        .waitFor();
      if ((await card.getByRole('button', { name: 'Approve' }).count()) > 0) {
        throw new Error('the guest is offered an Approve button');
      }
    },
    page,
  );

  const patContext = await newContext();
  const pat = await patContext.newPage();
  pat.setDefaultTimeout(60_000);
  await check(
    'pat (another team) signs in with GitHub and sees Approve disabled, naming the permission',
    async () => {
      await signInWithGithub(pat, appUrl, 'pat');
      const approve = pat.getByRole('button', { name: 'Approve' });
      await approve.waitFor();
      await pat.getByText(/delivery\.deployment\.approve permission/).waitFor();
      if (!(await approve.isDisabled())) {
        throw new Error('Approve is enabled for pat');
      }
    },
    pat,
  );
  await patContext.close().catch(() => {});

  const rileyContext = await newContext();
  const riley = await rileyContext.newPage();
  riley.setDefaultTimeout(60_000);
  await check(
    'riley (owner and reviewer) signs in with GitHub, approves in the dialog, and the production job starts',
    async () => {
      await signInWithGithub(riley, appUrl, 'riley');
      const approve = riley.getByRole('button', { name: 'Approve' });
      await approve.waitFor();
      // The buttons wait for GitHub to say riley may approve.
      for (let i = 0; i < 60 && (await approve.isDisabled()); i++) {
        await riley.waitForTimeout(500);
      }
      await riley.screenshot({
        path: join(artifacts, 'approval-card.png'),
        fullPage: true,
      });
      await approve.click();
      const dialog = riley.getByRole('dialog');
      const confirm = dialog.getByRole('button', {
        name: 'Approve and deploy',
      });
      if (!(await confirm.isDisabled())) {
        throw new Error('the dialog approves without a comment');
      }
      await dialog
        .getByRole('textbox', { name: /Comment/ })
        .fill('Plan read in the portal: e2e approval');
      await confirm.click();
      await riley
        .getByText(/Approved the deploy to production of/)
        .waitFor({ timeout: 30_000 });
      await riley
        .getByText(/The production job started/)
        .waitFor({ timeout: 90_000 });
      await riley.screenshot({
        path: join(artifacts, 'approval-approved.png'),
        fullPage: true,
      });
    },
    riley,
  );
  await rileyContext.close().catch(() => {});
  void context;
}
