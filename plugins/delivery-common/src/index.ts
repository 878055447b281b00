/**
 * Common functionality of the delivery plugins.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './client';
export * from './drift';
export * from './permissions';
export * from './plan';
export * from './types';
