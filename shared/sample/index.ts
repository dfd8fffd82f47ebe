export * from './generate.ts';
export * from './short-interest.ts';
