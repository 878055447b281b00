import '@testing-library/jest-dom';

// The card tests drive Material UI with user-event, one keystroke at a time. On a busy
// two-core CI machine, running suites in parallel, one such test has taken longer than
// Jest's 5 s default although nothing was wrong; the assertions, not this limit, decide
// whether a test passes.
jest.setTimeout(60_000);
