// Reads vitest's JSON report and prints the skipped tests with their reason (the describe/test
// titles name it, e.g. "(../shared/data absent)"), then the plain closing line CI reads.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath = '', statusArg = '1'] = process.argv.slice(2);
const status = Number(statusArg);

interface AssertionResult {
  status: string;
  fullName?: string;
  title: string;
  ancestorTitles?: string[];
}
interface FileResult {
  name: string;
  status?: string;
  message?: string;
  assertionResults: AssertionResult[];
}

if (!existsSync(reportPath)) {
  console.log('ci: no test report was written (type-check or lint failed before the tests ran)');
  console.log(`0 passed, ${status === 0 ? 0 : 1} failed`);
  process.exit(status === 0 ? 1 : status);
}

const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { testResults: FileResult[] };
let passed = 0;
let failed = 0;
let skipped = 0;
const skippedByFile = new Map<string, string[]>();
for (const file of report.testResults) {
  const rel = file.name.replace(`${process.cwd()}/`, '');
  if (file.status === 'failed' && file.assertionResults.length === 0) {
    failed += 1; // a suite that failed to load counts as a failure
    console.log(`ci: suite failed to load: ${rel}: ${file.message ?? ''}`);
  }
  for (const t of file.assertionResults) {
    if (t.status === 'passed') passed += 1;
    else if (t.status === 'failed') failed += 1;
    else {
      skipped += 1;
      const list = skippedByFile.get(rel) ?? [];
      list.push([...(t.ancestorTitles ?? []), t.title].join(' › '));
      skippedByFile.set(rel, list);
    }
  }
}
if (!existsSync('../shared/data')) console.log('ci: ../shared/data is absent: the real-data suites are skipped');
for (const [file, titles] of skippedByFile) {
  console.log(`ci: skipped in ${file}: ${titles.length}`);
  for (const t of titles.slice(0, 5)) console.log(`ci:   ${t}`);
  if (titles.length > 5) console.log(`ci:   … ${titles.length - 5} more`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
