// Types of snapshot-validator.generated.js (written by `npm run gates:generate`; this file is not).
import type { ErrorObject } from 'ajv';

export interface SnapshotValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validate: SnapshotValidateFunction;
export default validate;
