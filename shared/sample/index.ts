/**
 * Build-time tool: the sample-data generator (`pulse sample`, `npm start`'s bundled sample, the tests). Pure
 * like the rest of shared/, but it produces input files rather than figures; no Lambda may import it
 * (test/infra/lambda-imports.test.ts).
 */
export * from './generate.ts';
export * from './short-interest.ts';
