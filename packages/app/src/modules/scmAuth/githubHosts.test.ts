import { mockApis } from '@backstage/frontend-test-utils';
import { githubHostsOf } from './githubHosts';

describe('githubHostsOf', () => {
  it('always covers github.com', () => {
    expect(githubHostsOf(mockApis.config())).toEqual(['github.com']);
  });

  it('adds each GitHub Enterprise host of integrations.github once', () => {
    const config = mockApis.config({
      data: {
        integrations: {
          github: [
            { host: 'github.com' },
            {
              host: 'ghe.acme.test',
              apiBaseUrl: 'https://ghe.acme.test/api/v3',
            },
            { host: 'ghe.acme.test' },
          ],
        },
      },
    });
    expect(githubHostsOf(config)).toEqual(['github.com', 'ghe.acme.test']);
  });
});
