import { resolveSignInProviders } from './signInProviders';

describe('resolveSignInProviders', () => {
  it('offers guest sign-in when nothing is configured', () => {
    expect(resolveSignInProviders(undefined)).toEqual(['guest']);
    expect(resolveSignInProviders([])).toEqual(['guest']);
  });

  it('offers GitHub sign-in for production', () => {
    const [github] = resolveSignInProviders(['github']);
    expect(github).toMatchObject({
      id: 'github-auth-provider',
      title: 'GitHub',
    });
  });

  it('keeps the configured order', () => {
    const providers = resolveSignInProviders(['github', 'guest']);
    expect(providers[1]).toBe('guest');
  });

  it('rejects an unknown provider with a message naming the valid ones', () => {
    expect(() => resolveSignInProviders(['gitlab'])).toThrow(
      "app.signIn.providers contains 'gitlab'; supported providers are 'guest' and 'github'",
    );
  });
});
