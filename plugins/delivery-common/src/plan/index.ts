export * from './constants';
export * from './schema';
export * from './types';
export * from './validate';
