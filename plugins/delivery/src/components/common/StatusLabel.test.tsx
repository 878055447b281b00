import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { ecsStatusKind, StatusKind, StatusLabel } from './StatusLabel';

const kinds: [StatusKind, string][] = [
  ['ok', 'COMPLETED'],
  ['error', 'FAILED'],
  ['warning', 'Drifted'],
  ['running', 'IN_PROGRESS'],
  ['pending', 'queued'],
  ['aborted', 'STOPPED'],
  ['unknown', 'UNKNOWN'],
];

describe('StatusLabel', () => {
  it.each(kinds)(
    'says %s in words next to a decorative icon, not by colour alone',
    async (kind, words) => {
      await renderInTestApp(<StatusLabel kind={kind}>{words}</StatusLabel>);
      const text = screen.getByText(words);
      expect(text).toBeVisible();
      const label = text.parentElement!;
      // The words are all there is to read: the icon is hidden from assistive technology and
      // carries no text of its own; the words are not hidden.
      expect(label).toHaveTextContent(new RegExp(`^${words}$`));
      expect(text.closest('[aria-hidden="true"]')).toBeNull();
      const icon = label.querySelector('svg')!;
      expect(icon.closest('[aria-hidden="true"]')).not.toBeNull();
      expect(icon).toHaveTextContent('');
    },
  );

  it('gives statuses that differ in meaning different icons as well as different words', async () => {
    await renderInTestApp(
      <>
        <StatusLabel kind={ecsStatusKind('HEALTHY')}>HEALTHY</StatusLabel>
        <StatusLabel kind={ecsStatusKind('UNHEALTHY')}>UNHEALTHY</StatusLabel>
        <StatusLabel kind={ecsStatusKind('IN_PROGRESS')}>
          IN_PROGRESS
        </StatusLabel>
      </>,
    );
    const iconOf = (words: string) =>
      screen.getByText(words).parentElement!.querySelector('svg')!.innerHTML;
    expect(iconOf('HEALTHY')).not.toEqual(iconOf('UNHEALTHY'));
    expect(iconOf('HEALTHY')).not.toEqual(iconOf('IN_PROGRESS'));
    expect(iconOf('UNHEALTHY')).not.toEqual(iconOf('IN_PROGRESS'));
  });
});
