/**
 * shared/zod.ts: the project's schemas use `zod/mini` (tree-shakeable, issue 20 item 7) with the English messages
 * the classic API would have given, registered before any schema is built; `described` is the classic
 * `.describe()`, a described copy, not a check.
 */
import { describe, expect, it } from 'vitest';
import * as zc from 'zod';
import * as z from '../shared/zod.ts';

describe('shared/zod.ts', () => {
  it("words issues in zod's English, exactly as the classic API does", () => {
    const input = { n: -1.5, s: '', d: '2024-13-01', extra: 1 };
    const mini = z
      .strictObject({
        n: z.number().check(z.int(), z.minimum(0)),
        s: z.string().check(z.minLength(1)),
        d: z.string().check(z.regex(/^\d{4}-(0\d|1[0-2])-\d{2}$/, 'expected a date YYYY-MM-DD')),
      })
      .safeParse(input);
    const classic = zc
      .strictObject({
        n: zc.number().int().min(0),
        s: zc.string().min(1),
        d: zc.string().regex(/^\d{4}-(0\d|1[0-2])-\d{2}$/, 'expected a date YYYY-MM-DD'),
      })
      .safeParse(input);
    const issues = (r: { error?: { issues: readonly { path: PropertyKey[]; message: string }[] } | undefined }) =>
      r.error?.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    expect(issues(mini)).toEqual([
      'n: Invalid input: expected int, received number',
      's: Too small: expected string to have >=1 characters',
      'd: expected a date YYYY-MM-DD',
      '(root): Unrecognized key: "extra"',
    ]);
    expect(issues(mini)).toEqual(issues(classic));
    expect(issues(z.number().check(z.minimum(0)).safeParse(-1))).toEqual([
      '(root): Too small: expected number to be >=0',
    ]);
  });

  it('describes a copy: the original keeps no description and parses the same', () => {
    const plain = z.number();
    const described = z.described(plain, 'US dollars');
    expect(z.globalRegistry.get(described)).toEqual({ description: 'US dollars' });
    expect(z.globalRegistry.get(plain)).toBeUndefined();
    expect(described._zod.def.checks ?? []).toEqual([]);
    expect(z.toJSONSchema(described)).toMatchObject({ type: 'number', description: 'US dollars' });
  });
});
