import '@testing-library/jest-dom';

// Jest's limit is wall-clock time, and these tests are CPU-bound (jsdom, a whole Backstage test
// app per render). On a shared two-core machine, with Jest's own two workers and another job
// running, the rollback flows (10 to 15 user actions each) measured 3 to 5 s of wall time for
// about 1 to 2 s of work, right at Jest's 5 s default. 15 s leaves room for that contention and
// still fails a hung test (an answer that never comes) quickly; the assertions, not this limit,
// decide whether a test passes.
jest.setTimeout(15_000);
