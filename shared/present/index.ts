export * from './escape.ts';
export * from './format.ts';
export * from './headline.ts';
export * from './labels.ts';
export * from './rss.ts';
export * from './security-headers.ts';
