/**
 * Common functionality of the delivery plugins.
 *
 * @packageDocumentation
 */
export * from './annotations';
