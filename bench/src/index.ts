/*
 * The benchmark of the Deployment tab's backend and its reusable parts. See ../README.md.
 */
export * from './upstreamProxy';
