/**
 * Issue 6's bad-input catalogue, faults and sanity gates, each mapped to the tests that exercise it and
 * the outcome they assert. docs/reliability.md's tables are rendered from this list
 * (`renderCatalogue`, checked by catalogue.test.ts) and its figures are counted by running the tests
 * (figures.ts). A reference names a test by its title as written; `expanded` picks one case of an
 * `it.each`.
 */

export interface TestRef {
  /** Test file, from the repository root. */
  file: string;
  /** The `it` title as written in the file. */
  test: string;
  /** For an `it.each` title with placeholders: the one expanded title meant (all cases when absent). */
  expanded?: string;
}

export interface Case {
  /** The catalogue item in issue 6's words. */
  item: string;
  /** What happens, as the referenced tests assert it. */
  outcome: string;
  tests: TestRef[];
}

const f = {
  siFormat: 'test/formats/finra-short-interest.test.ts',
  svFormat: 'test/formats/finra-short-volume.test.ts',
  screener: 'test/formats/nasdaq-screener.test.ts',
  decode: 'test/formats/decode.test.ts',
  providers: 'test/providers/providers.test.ts',
  ingest: 'test/pipeline/ingest.test.ts',
  publish: 'test/pipeline/publish.test.ts',
  compute: 'test/pipeline/compute.test.ts',
  endToEnd: 'test/pipeline/end-to-end.test.ts',
  faults: 'test/adapters/faults.test.ts',
  publishRollback: 'test/infra/publish-rollback.test.ts',
  contract: 'test/adapters/contract.test.ts',
  classify: 'test/methodology/classify.test.ts',
  splits: 'test/methodology/splits.test.ts',
  windows: 'test/methodology/windows.test.ts',
  siRule: 'test/methodology/short-interest.test.ts',
  manifest: 'test/sample/methodology-manifest.test.ts',
  relIngest: 'test/reliability/bad-input-ingest.test.ts',
  relCli: 'test/reliability/bad-input-cli.test.ts',
  relCalendar: 'test/reliability/calendar-days.test.ts',
  relOversized: 'test/reliability/oversized.test.ts',
  relKilled: 'test/reliability/killed-mid-way.test.ts',
  ingestDeadline: 'test/pipeline/ingest-deadline.test.ts',
  dayLock: 'test/pipeline/day-lock.test.ts',
  relBackfill: 'test/reliability/backfill.test.ts',
  runRace: 'test/reliability/run-race.test.ts',
  computeChunks: 'test/pipeline/compute-chunks.test.ts',
  pipelineInfra: 'test/infra/pipeline.test.ts',
  gates: 'test/gates/sanity.test.ts',
  gatesPublish: 'test/gates/publish-gates.test.ts',
  gatesContract: 'test/gates/published-contract.test.ts',
  gatesReal: 'test/gates/real-2024.test.ts',
} as const;

const t = (file: string, test: string, expanded?: string): TestRef => ({
  file,
  test,
  ...(expanded ? { expanded } : {}),
});
const dropped = (rel: string, status: 'accepted' | 'rejected') =>
  t(f.relIngest, '$rel: archived byte for byte, then $status', `${rel}: archived byte for byte, then ${status}`);

export const BAD_INPUT: Case[] = [
  {
    item: 'a FINRA file that is really an HTML error page',
    outcome:
      'file refused (line 1, field `*`: "the body is an HTML page (title …)"), archived as received; a later good copy is stored beside it',
    tests: [
      t(f.siFormat, 'refuses %s', 'refuses shrt20240328.csv'),
      t(f.svFormat, 'refuses %s', 'refuses CNMSshvol20240614.txt'),
      t(
        f.providers,
        'an HTML error page served with 200 is returned as the file: ingest archives it, the parser refuses it',
      ),
      t(
        f.ingest,
        'an HTML page served as prices is archived byte-exact and refused; a good snapshot later is accepted beside it',
      ),
      dropped('short-interest/shrt20240515.csv', 'rejected'),
      t(f.relCli, 'exits 1 and names every refused file with its line, field and reason'),
    ],
  },
  {
    item: 'an empty-day file (header + trailer `0`)',
    outcome:
      'Reg SHO: accepted as a day with no rows; a short interest file with a header and no record is refused ("the file has a header but no records")',
    tests: [
      t(f.svFormat, 'gives zero records and no error for the empty-day form (header + trailer 0)'),
      t(f.siFormat, 'refuses %s', 'refuses shrt20240430.csv'),
      t(f.relIngest, 'the empty-day Reg SHO file is a day with no rows, not an error'),
    ],
  },
  {
    item: 'a truncated file (trailer count ≠ rows)',
    outcome: 'file refused at the trailer line ("the trailer says 5 records but the file has 3"), archived',
    tests: [
      t(f.svFormat, 'refuses %s', 'refuses CNMSshvol20240612.txt'),
      t(f.svFormat, 'refuses %s', 'refuses CNMSshvol20240613.txt'),
      dropped('short-volume/CNMSshvol20240611.txt', 'rejected'),
    ],
  },
  {
    item: 'missing or reordered columns',
    outcome: 'columns are found by name: reordered ones parse; a missing required column refuses the file, naming it',
    tests: [
      t(f.siFormat, 'finds columns by name: reordered and extra columns parse'),
      t(f.siFormat, 'refuses %s', 'refuses shrt20240315.csv'),
      t(f.svFormat, 'reads reordered columns with a BOM and LF line ends'),
      t(f.svFormat, 'refuses %s', 'refuses CNMSshvol20240618.txt'),
      t(f.screener, 'reads a bare rows array with keys in another order'),
      dropped('short-volume/CNMSshvol20240613.txt', 'rejected'),
    ],
  },
  {
    item: 'CRLF line endings and a UTF-8 BOM',
    outcome: 'accepted: the BOM is stripped, CRLF and LF read alike, line numbers stay physical',
    tests: [
      t(f.decode, 'strips a UTF-8 BOM'),
      t(f.siFormat, 'reads CRLF with a BOM; stockSplitFlag S and marketClassCode OTC are kept on the record'),
      t(f.svFormat, 'reads a CRLF day with fractional volumes, checks the trailer, canonicalises CQS suffixes'),
      dropped('short-interest/shrt20240531.csv', 'accepted'),
    ],
  },
  {
    item: 'pipes, commas, quotes and `<script>` in issue names',
    outcome:
      'names kept byte for byte as data and escaped where shown (page, RSS); a pipe inside a FINRA name shifts the row: that row is rejected ("has 15 fields"), the rest kept',
    tests: [
      t(
        f.screener,
        'maps good rows: prices with $ and thousands commas, unknown market caps to null, canonical symbols',
      ),
      t(f.siFormat, 'reads the real 14-column pipe layout (LF), canonical symbols, names untouched'),
      t(f.siFormat, 'rejects bad rows one by one and keeps the good ones'),
      t(f.relIngest, 'row rejections of a partly bad file are kept beside its good rows (file, line, field, reason)'),
      t(
        f.relCli,
        'keeps hostile text as data: the name with | " <script> and javascript: reaches the snapshot unchanged',
      ),
      t('test/present/rss.test.ts', 'escapes hostile names: no markup reaches a feed reader as HTML'),
    ],
  },
  {
    item: 'fractional volumes',
    outcome: 'accepted as numbers (Reg SHO volumes, short interest quantities)',
    tests: [
      t(f.svFormat, 'reads a CRLF day with fractional volumes, checks the trailer, canonicalises CQS suffixes'),
      t(
        f.relIngest,
        'a revision of 2024-05-31 arrives as an R row of the 2024-06-14 file and restates from 2024-05-31; merged, the revised figure wins',
      ),
    ],
  },
  {
    item: 'negative or non-numeric quantities',
    outcome: "the row is rejected (file, line, field, reason), the file's good rows are kept",
    tests: [
      t(f.siFormat, 'rejects bad rows one by one and keeps the good ones'),
      t(f.svFormat, 'rejects bad rows and keeps the rest'),
      t(f.screener, 'rejects rows without a valid price, later duplicates and non-objects, with row index and field'),
      t(f.relIngest, 'row rejections of a partly bad file are kept beside its good rows (file, line, field, reason)'),
    ],
  },
  {
    item: 'duplicate symbols in one file',
    outcome: 'the first row is kept, each later one rejected naming the line it repeats',
    tests: [
      t(f.siFormat, 'rejects bad rows one by one and keeps the good ones'),
      t(f.svFormat, 'rejects bad rows and keeps the rest'),
      t(f.screener, 'rejects rows without a valid price, later duplicates and non-objects, with row index and field'),
      t(f.relCli, 'lists every refused file (line 0 or the line found) and every rejected row in dataQuality'),
    ],
  },
  {
    item: 'a short interest file for a settlement date far in the past',
    outcome:
      'accepted and archived, restatement asked from its settlement date; it changes no figure while a later file is in effect (same snapshot without it); before 1998 (outside the calendar) refused',
    tests: [
      t(
        f.relIngest,
        'a file settled in 2019 is accepted and archived, and asks for a restatement from its settlement date',
      ),
      t(f.relCli, 'a short interest file settled in 2019 changes no figure: the same snapshot without it'),
    ],
  },
  {
    item: 'a revision of an already-ingested settlement date',
    outcome:
      'stored beside the original (never overwritten), restated from the settlement date; merged in file-name order, the revised rows win',
    tests: [
      t(
        f.relIngest,
        'a revision of 2024-05-31 arrives as an R row of the 2024-06-14 file and restates from 2024-05-31; merged, the revised figure wins',
      ),
      t(
        f.relIngest,
        'a corrected file under the same name is archived beside the first (never overwritten) and restates',
      ),
      t(
        f.relCli,
        'uses 2024-05-31 as revised by the R row of shrt20240614.csv once that file is known; --as-of before it does not',
      ),
      t(f.siFormat, 'lets a later revision replace an earlier one (r2 after r1)'),
      t(f.siRule, 'uses the revised figures of a file (revisions merged by the parser)'),
      t(
        f.ingest,
        'a late short interest file restates from its settlement date and asks compute to run through the last day',
      ),
    ],
  },
  {
    item: 'a screener snapshot with far fewer symbols than the previous day (< 70%)',
    outcome: 'the day is rejected by rule 2 ("partial: …"), listed in dataQuality.rejectedDays; never a trading day',
    tests: [
      t(f.classify, 'rejects a partial day: fewer than 70% as many symbols as the previous accepted day'),
      t(f.manifest, 'rejects exactly the injected stale, partial and weekend days'),
      t(f.relCli, 'publishes the good days, rule 2 rejecting the partial, weekend, stale and holiday days'),
    ],
  },
  {
    item: 'a stale repeated snapshot',
    outcome: 'the day is rejected by rule 2 ("stale: …% of its symbols have exactly the price they had …")',
    tests: [
      t(f.classify, 'rejects a stale repeat: at least 90% of its symbols at exactly the previous price'),
      t(f.relCli, 'publishes the good days, rule 2 rejecting the partial, weekend, stale and holiday days'),
    ],
  },
  {
    item: 'prices of `$0.00`, `NA`, empty',
    outcome: 'the row is rejected (field `lastsale`), the symbol is absent that day (rule 1)',
    tests: [
      t(f.screener, 'rejects rows without a valid price, later duplicates and non-objects, with row index and field'),
      t(f.relIngest, 'row rejections of a partly bad file are kept beside its good rows (file, line, field, reason)'),
    ],
  },
  {
    item: 'market cap `0.00` / empty',
    outcome: 'kept as unknown (null): the symbol has no tier that day and is left out of every figure (rule 6)',
    tests: [
      t(
        f.screener,
        'maps good rows: prices with $ and thousands commas, unknown market caps to null, canonical symbols',
      ),
      t(
        f.windows,
        'a symbol without a market cap on d−1 is left out that day, and out of the top lists without a tier on A',
      ),
      t(f.relIngest, 'row rejections of a partly bad file are kept beside its good rows (file, line, field, reason)'),
    ],
  },
  {
    item: 'a share-count jump with a flat price',
    outcome: 'not a split (rule 3: no factor fits the price): the return is the price move',
    tests: [
      t(f.splits, 'a share-count glitch at a flat price is not a split'),
      t(f.manifest, 'does not report the share-count glitch with a flat price as a split'),
      t(f.relCli, 'does not count the share-count jump of NVDA on 2024-06-20 as a split'),
    ],
  },
  {
    item: 'a split with the share count updating days later',
    outcome:
      'rule 3(b): the symbol is held out while pending, the split is confirmed from a later share count and the held days are restated',
    tests: [
      t(f.splits, 'confirms k = 2 from the share count two days later'),
      t(f.splits, 'is pending, and the symbol held out, while no share count confirms it'),
      t(f.splits, 'holds the symbol out, then restates the held days when the split is confirmed'),
      t(f.endToEnd, 'a split confirmed days later (rule 3b) restates the held days with the split counted'),
    ],
  },
  {
    item: 'a file dated on a weekend or exchange holiday',
    outcome:
      'weekend: rule 2 rejects the day; holiday: ingest refuses the file by the exchange calendar, archived ("… is an exchange holiday (…)"), and rule 2 rejects it in `pulse build` by the same calendar (issue 10); half days are trading days',
    tests: [
      t(f.classify, 'rejects weekend files, even as the first file'),
      t(f.ingest, 'a prices file dated on an exchange holiday is archived and refused'),
      t(f.ingest, 'skips weekends and exchange holidays without asking anyone'),
      dropped('prices/2024-06-19.json', 'rejected'),
      t(f.relCalendar, 'a repeat of the day before (what a holiday download is) is rejected as a holiday'),
      t(
        f.relCalendar,
        'a holiday file with new prices is rejected by build too (issue 10: the same verdict as ingest)',
      ),
      t(f.relCalendar, 'a half day is an ordinary counted day'),
    ],
  },
  {
    item: 'a gzip that fails to decompress',
    outcome: 'file refused (line 0: "the body starts like gzip but does not decompress (…)"), archived as received',
    tests: [
      t(f.decode, 'refuses a corrupt gzip, naming the file'),
      t(f.ingest, 'a gzip that does not decompress is archived as received and refused with the reason'),
      dropped('prices/2024-06-12.json.gz', 'rejected'),
    ],
  },
  {
    item: 'a 10× oversized file',
    outcome:
      'refused above 64 MiB (compressed or decoded; `maxFileBytes`), archived; a 640 MiB gzip costs ~the limit in memory; a drop is refused from its size (HEAD) and archived by a server-side copy, never read whole',
    tests: [
      t(f.relOversized, 'is refused by ingest at the limit, archived byte for byte, with ~the limit of extra memory'),
      t(f.relOversized, 'is refused from its length alone, before any decoding (no extra memory)'),
      t(f.relOversized, 'is refused from its size before any read, archived by a server-side copy, byte for byte'),
      t(f.decode, 'stops a gzip bomb at the limit'),
      t(f.providers, 'refuses a body above the size limit without retrying (declared or streamed)'),
    ],
  },
];

export const FAULTS: Case[] = [
  {
    item: 'DynamoDB throttling',
    outcome:
      'retried with backoff (conditional puts, updates, reads) and the data lands once; the pipeline makes no batch writes (the `AGG#` items they wrote were read by nothing, removed in issue 12)',
    tests: [t(f.faults, 'retries throttling on conditional puts, updates and reads, and the data lands once')],
  },
  {
    item: 'S3 500s and timeouts on read and write',
    outcome:
      'retried; a cut or corrupted body is never returned as data; a publish failing before latest.json restores history.json, rss.xml and the feed (deleting them after a failed first publish), with S3 actions the publish role allows',
    tests: [
      t(f.faults, 'a PUT answered 500 twice is retried and stored once, byte-exact'),
      t(f.faults, 'a PUT whose connection is reset is retried'),
      t(f.faults, 'a GET answered 503 SlowDown, then stalled past the timeout, is retried until it reads'),
      t(f.faults, 'a GET whose body is cut short is never returned as data: it is retried'),
      t(f.faults, 'a read that keeps returning bytes that do not match their sha256 fails with ObjectIntegrityError'),
      t(f.faults, 'a PUT failing with 500 on every attempt fails cleanly after the last attempt'),
      t(
        f.publish,
        'latest.json failing after retries restores history.json and rss.xml: readers still see the previous day',
      ),
      t(
        f.publishRollback,
        'a failed first publish deletes history.json, rss.xml and the feed, and the role allows each delete',
      ),
      t(f.publishRollback, 'a failed later publish puts the previous bytes back, and the role allows each put'),
    ],
  },
  {
    item: 'a Lambda killed mid-way, after N of M batch writes (not before the first)',
    outcome:
      'compute (35 writes for 28 days) killed at 6 points from its first checkpoint to its last write — among the checkpoints, after the snapshots, after the journal — and publish after each of its 9 writes: the re-run leaves every table item, raw object and published file as a clean run (no day unpublished); latest.json is switched last',
    tests: [
      t(f.relKilled, 'killed %s: the re-run leaves the state, the snapshots and the site as a clean run'),
      t(f.relKilled, 'for every N: latest.json switches last, the re-run publishes exactly what a clean run does'),
    ],
  },
  {
    item: 'the same EventBridge/S3 event delivered twice',
    outcome: 'the second delivery is a no-op (ledger by sha256; compute and publish idempotent)',
    tests: [
      t(f.ingest, 'the same drop event twice: the second is a no-op'),
      t(f.compute, 'computing and publishing the same day again, or dropping the same file twice, changes nothing'),
    ],
  },
  {
    item: 'a step killed holding the day (Lambda timeout, out of memory), then retried by the state machine',
    outcome:
      'the retry carries the execution’s id as its run id (ingest’s envelope, `$$.Execution.Id`), re-enters the lock its killed attempt left and does the work; another execution is refused with the retryable `DayLockedError` until the lock expires (10 min), then takes the day over',
    tests: [
      t(
        f.ingestDeadline,
        're-enters the lock its own run left behind and ingests; another run is refused with a retryable error',
      ),
      t(f.dayLock, 're-enters its own run’s lock (the same owner, the execution id) and does the work'),
      t(f.dayLock, 'another execution is refused while the lock lives, and takes the day over once it has expired'),
    ],
  },
  {
    item: 'a source still answering when the invocation’s time runs out',
    outcome:
      'the fetch is aborted at Lambda’s remaining time less 30 s: `StepDeadlineError` (retried), the lock released, nothing archived — not a kill mid-write',
    tests: [
      t(
        f.ingestDeadline,
        'aborts the fetch, releases the lock, archives nothing, and throws the retryable StepDeadlineError',
      ),
      t(
        f.ingestDeadline,
        'through the handler: Lambda’s remaining time sets the deadline, the envelope’s run id owns the lock',
      ),
    ],
  },
  {
    item: 'two runs of the same day at once',
    outcome:
      'the day lock (conditional write) lets one in; the other throws the retryable `DayLockedError` and writes nothing (the state machine retries it past the lock’s expiry, then fails: never a silent success)',
    tests: [
      t(
        f.ingest,
        'one takes the day lock and ingests, the other throws the retryable DayLockedError without touching anything',
      ),
      t(f.publish, 'two publishes of one day at once: one writes, the other is told the day is taken'),
      t(f.compute, 'another run holding the day: compute throws the retryable DayLockedError and writes nothing'),
      t(f.contract, 'day lock under contention: of ten simultaneous runs exactly one wins'),
    ],
  },
  {
    item: 'runs of consecutive days started together (a drop during the daily run, a re-run, a backfill, a bulk upload)',
    outcome:
      'the run lock (one DynamoDB item, taken by the state machine before the first step and given back at every end) runs them one at a time, whole; every interleaving tried ends in the state a sequential run in the lock’s order leaves, byte for byte (without the lock: torn reads, `latest.json` behind, history rows lost)',
    tests: [
      t(
        f.runRace,
        "every seeded interleaving ends in the state of the sequential run in the lock's order, byte for byte",
      ),
      t(f.contract, 'run lock under contention: of ten executions started together exactly one runs'),
      t(
        f.pipelineInfra,
        'runs every execution whole under the run lock: taken first, waited for, given back at every end (issue 20 item 1)',
      ),
    ],
  },
  {
    item: 'a restatement or backfill longer than one compute invocation can fold (5 min, 2 GB)',
    outcome:
      'compute folds at most `computeChunkDays` price days an invocation, commits the chunk in its journal and answers `more`; publish publishes it and the state machine calls compute again: the site, checkpoints and stock files equal the run folded at once, a pending split at a chunk’s end included',
    tests: [
      t(f.computeChunks, 'leaves the site, the checkpoints, the stock files and the cursor as the run folded at once'),
      t(
        f.computeChunks,
        'restates from an early day in chunks as at once: the same snapshots, restated on the same day',
      ),
      t(f.computeChunks, 'publishes the same snapshots in chunks of 11 as at once'),
      t(
        f.pipelineInfra,
        'calls compute again while publish answers `more`: a long run folded in chunks (issue 20 item 3)',
      ),
    ],
  },
  {
    item: 'the table lost: replay the archived raw files',
    outcome:
      'the ledger and the normalised records are rebuilt from raw/, offline, byte-identical; `pulse backfill` after losing the table, derived/ and the site republishes every file identical apart from `generatedAt` and the restatement marks',
    tests: [
      t(f.ingest, 'replaying a day from the raw archive rebuilds the ledger and the same normalised records, offline'),
      t(f.relBackfill, 'republishes every file byte for byte, apart from generatedAt and the restatement marks'),
      t(f.relBackfill, 'leaves the raw archive as it was, and lists the refused weekend day again'),
    ],
  },
];

export const GATES: Case[] = [
  {
    item: 'the snapshot fails its JSON Schema',
    outcome:
      '`pulse build`: refused before any write (gate `json-schema`, ajv on the serialised bytes), cannot be acknowledged; the publish Lambda validates each snapshot once with the contract (zod, strict: gate `schema`), and CI checks with ajv that what publish writes matches the published JSON Schemas',
    tests: [
      t(f.gates, 'trips on a snapshot a buggy writer produced (fixture), naming each path'),
      t(f.gates, 'checks the bytes a reader gets: NaN where an integer belongs is null once serialised'),
      t(f.publish, 'an invalid snapshot is refused before any write: the previous latest, history and feed stay'),
      t(
        f.gatesContract,
        'every snapshot file and latest.json: the contract schema (strict), the published one, the generated validator',
      ),
    ],
  },
  {
    item: "a tier's 1d P&L exceeds 0.25 × its exposure",
    outcome: 'refused (gate `tier-pnl`), yesterday stays; publishable after checking with `acceptGates`',
    tests: [
      t(f.gates, 'trips on a bad print: MEGA at $140 instead of $100 (+40%: no split factor fits it, rule 3)'),
      t(
        f.gatesPublish,
        'refuses a day whose mega tier lost 0.4 × its exposure, keeps the site, then publishes it when accepted',
      ),
    ],
  },
  {
    item: 'the symbol count drops sharply (> 10%)',
    outcome: 'refused (gate `symbol-drop`)',
    tests: [
      t(
        f.gates,
        'trips when the day’s screener lacks SML and MIC (the file still has 24 of 26 rows, so rule 2 accepts it)',
      ),
      t(
        f.gatesPublish,
        'compares with the last published day from the feed; an unknown accepted gate name changes nothing',
      ),
    ],
  },
  {
    item: 'total short interest moves > 15% day on day without a new settlement file (> 30% with one)',
    outcome: 'refused (gate `short-interest-move`)',
    tests: [
      t(
        f.gates,
        'trips when a restated 2024-05-31 file doubles MEGA’s position (same settlement date: not a new file)',
      ),
      t(f.gates, 'a new settlement file (2024-06-14) may move it by up to 30%: +21.12% passes'),
      t(f.gates, 'trips even with a new file beyond 30%: the 2024-06-14 file doubling MEGA (+70.39%)'),
    ],
  },
  {
    item: 'none trips on the real 2024 year',
    outcome: '252 real days (generated short interest), no gate trips; every maximum ≤ ⅓ of its bound',
    tests: [
      t(f.gatesReal, 'trips no gate'),
      t(f.gatesReal, 'stays well inside every bound (the maxima the bounds were chosen from)'),
    ],
  },
];

const infra = {
  storage: 'test/infra/storage-and-site.test.ts',
  pipeline: 'test/infra/pipeline.test.ts',
  nag: 'test/infra/nag.test.ts',
  config: 'test/infra/config.test.ts',
  site: 'test/site/site.test.ts',
  headers: 'test/present/security-headers.test.ts',
  security: 'test/reliability/security.test.ts',
} as const;

/** Security measures of issue 6 and the tests asserting each (listed in the doc; not counted in the figures). */
export const SECURITY: Case[] = [
  {
    item: 'the raw bucket is never public',
    outcome:
      'private, versioned, encrypted, access-logged; its policy denies non-TLS and every principal outside the account',
    tests: [
      t(infra.storage, 'is private, versioned, encrypted, logged and sends S3 events to EventBridge'),
      t(infra.storage, 'denies non-TLS requests and every principal outside the account, and allows no one'),
    ],
  },
  {
    item: 'only CloudFront reads the site bucket; no public writes; TLS only',
    outcome:
      'private bucket, TLS-only policy, read granted to this distribution only (OAC with SourceArn); HTTP redirected to HTTPS',
    tests: [
      t(infra.storage, 'is private and TLS-only, and only this distribution (OAC, SourceArn) may read it'),
      t(infra.storage, 'uses origin access control (signed sigv4 S3 requests), not a legacy origin access identity'),
      t(infra.storage, 'redirects HTTP to HTTPS on every behavior'),
    ],
  },
  {
    item: 'least privilege per function, no wildcards on resources',
    outcome:
      'each function its own role: its table and key prefixes only; no delete but publish’s rollback (s3:DeleteObject on history.json, rss.xml and the feed only, versioned buckets); no wildcard action; `*` resources only where AWS requires them (X-Ray, log delivery); cdk-nag clean',
    tests: [
      t(infra.pipeline, 'ingest: its table; reads drops; reads and writes raw/ and derived/; lists the raw bucket'),
      t(infra.pipeline, 'compute: its table and derived/ only'),
      t(
        infra.pipeline,
        'publish: reads derived/, keeps the feed, writes the site’s data/ and rss.xml, deletes only what its rollback restores',
      ),
      t(
        infra.pipeline,
        'lets only publish delete, only the objects its rollback restores, no items, and no wildcard actions',
      ),
      t(f.publishRollback, 'allows deleting those keys and no other object publish writes or reads'),
      t(
        infra.pipeline,
        'allows Resource "*" only for X-Ray and the Step Functions log-delivery APIs, which require it',
      ),
      t(infra.pipeline, 'is denied writing the data publish owns'),
      t(
        infra.nag,
        'wildcards appear only on object ARNs under a prefix, log streams, report groups, X-Ray and the state machine’s own child executions',
      ),
      t(infra.nag, 'finds nothing unacknowledged in the three stacks'),
    ],
  },
  {
    item: 'secrets only from SSM Parameter Store, never in code or env defaults',
    outcome:
      'no secret exists: every data source is public (the unused price API key parameter was removed, issue 18), and no function is granted SSM access',
    tests: [t(infra.pipeline, 'grants no SSM access: no function reads a secret')],
  },
  {
    item: 'Content-Security-Policy without `unsafe-inline` for scripts',
    outcome: "`script-src 'self'`, no inline or evaluated script, the same policy from CloudFront and the local server",
    tests: [
      t(infra.headers, 'allows scripts and styles only from the site itself (no unsafe-inline, no eval)'),
      t(infra.storage, 'sends the site’s security headers, with a CSP that allows no inline script'),
      t(infra.site, 'has no inline script, inline style or event-handler attribute in any page'),
      t(infra.site, 'sends the CSP and security headers on pages'),
      t(infra.security, 'runs no inline or evaluated script and loads scripts from the site only'),
    ],
  },
  {
    item: 'all data escaped (page and RSS); links in data never become `javascript:` URLs',
    outcome:
      'names render as text; the only links built from data are archive dates checked as YYYY-MM-DD; the feed links only to the site for any text in any field',
    tests: [
      t(infra.site, 'renders hostile names as text: no alert, no injected element'),
      t(infra.site, 'links only to its own pages and files (no javascript: URLs from data)'),
      t(infra.security, 'links only to the site and carries no element from the data, for known attack strings'),
      t(infra.security, 'links only to the site for arbitrary text in every field (property)'),
      t(
        infra.security,
        'a date field is never turned into a link: the link builder refuses it and the gates refuse the snapshot',
      ),
    ],
  },
];

const hostile = 'test/reliability/hostile-data.test.ts';
const round2 = 'test/reliability/hostile-round2.test.ts';

/** Issue 10: hostile data, the same verdict from `pulse build` and the pipeline (shared/gates, rule 11). */
export const HOSTILE: Case[] = [
  {
    item: 'a price typo ×1000 on one stock (market cap scaled with it)',
    outcome:
      'rule 11(a): the symbol-day is quarantined (absent, so the next day has no P&L either), listed in `dataQuality.quarantined` with file, symbol, field `lastsale`; figures equal the input without that row',
    tests: [t(hostile, 'a price typo ×1000 on a mid cap: rule 11(a) quarantines the day, figures as without that row')],
  },
  {
    item: 'a `$0.0001` price followed by a blank market cap',
    outcome:
      'rule 11(a) quarantines the $0.0001 day (a share-count ratio beyond 1/1000 … 1000 explains nothing); the next day has no P&L; figures equal the input without that row',
    tests: [t(hostile, 'a $0.0001 price followed by a blank market cap: the day is quarantined, the next has no P&L')],
  },
  {
    item: 'a market cap of 1e30, a price above $10M, 1e15 short shares',
    outcome:
      'rows rejected at the parser by rule 11 ceilings (file, line, field, reason); nothing unsafe reaches the engine or the table; figures equal the input without the rows',
    tests: [
      t(hostile, 'a market cap of 1e30 and a price above $10M: rows rejected at the parser (file, line, field)'),
      t(hostile, '1e15 short shares: the row is rejected at the parser, figures as without it'),
    ],
  },
  {
    item: "a splits.csv ratio of 0.0000001, or off rule 3(b)'s list with no matching price move",
    outcome:
      'below 1/1000: the row is rejected by the parser; off the list without the price move: not applied (rule 11c, quarantined), rules 3(a)/(b) decide; figures equal the clean input',
    tests: [
      t(
        hostile,
        'splits.csv: a ratio of 0.0000001 is rejected; a ratio off the list with a flat price is not applied (rule 11c)',
      ),
    ],
  },
  {
    item: 'short interest above 5 × the shares outstanding',
    outcome:
      'rule 11(b): counted as no position (no exposure, P&L, net new shorting, crowded entry) while above the bound; listed once per symbol and file',
    tests: [t(hostile, 'short interest above 5× the shares outstanding: rule 11(b) counts it as no position')],
  },
  {
    item: 'a snapshot that trips a sanity gate in `pulse build`',
    outcome:
      'the same gates as publish (shared/gates, against the accepted day before): exit 2, every violation printed, nothing under `data/` replaced, the snapshot kept in `refused/`; `--accept-gates` after checking',
    tests: [t(hostile, 'a sanity gate refusal: exit 2, nothing under data/ replaced, the refused snapshot kept aside')],
  },
  {
    item: 'a stale file after the last good day, `2024-06-31.json.gz`, a misnamed price file',
    outcome:
      'rejected days after A are listed in `dataQuality.rejectedDays`; an impossible date is refused (line 0); a name outside the convention is reported in `rejections` and on stderr; `validate` exits 1',
    tests: [
      t(hostile, 'days refused after the last accepted one are listed; 2024-06-31 and misnamed files are reported'),
    ],
  },
  {
    item: 'a price file dated on an exchange holiday with new prices',
    outcome: "rule 2 rejects it by the exchange calendar (the pipeline's), in `pulse build` too",
    tests: [t(hostile, 'a file dated on an exchange holiday with new prices is rejected by rule 2 (the calendar)')],
  },
  {
    item: 'a short interest file named for another settlement date',
    outcome: 'refused (field `settlementDate`, "misnamed file"), never merged as a revision of the other date',
    tests: [t(hostile, 'a short interest file named for another settlement date is refused, not merged as a revision')],
  },
  {
    item: 'a symbol spelled `AA PL`',
    outcome:
      'the row is rejected (field `symbol` / `symbolCode`, "has a space that is neither a class share … nor a CQS preferred"), never a new symbol',
    tests: [
      t(
        'test/formats/symbols.test.ts',
        'a screener row and a FINRA row spelled "AA PL" are rejected naming file, line and field',
      ),
    ],
  },
  {
    item: 'the same damaged input through `pulse build` and `pulse run`',
    outcome:
      "the same verdict: the pipeline's latest snapshot has the same figures, crowded list, quarantines, rejected days and splits as `pulse build`; no day fails",
    tests: [
      t(
        'test/reliability/build-run-verdict.test.ts',
        'no day fails in the pipeline, and the latest snapshot equals pulse build apart from generatedAt',
      ),
      t(
        'test/reliability/build-run-verdict.test.ts',
        'both quarantine the typo and the splits.csv ratio, and reject the two rows above a ceiling',
      ),
    ],
  },
  {
    item: 'generated short interest built without the sample manifest',
    outcome:
      'the generator marks every row (`shortPulseGenerated`); any snapshot built on it says `sample: true`, in `pulse build` and in the pipeline (the ledger keeps the mark)',
    tests: [
      t(hostile, 'generated short interest with real-format prices and no manifest: the snapshot says sample: true'),
      t(
        'test/reliability/build-run-verdict.test.ts',
        'both say sample: true from the generated short interest alone (no manifest, SAMPLE_DATA false)',
      ),
    ],
  },
  {
    item: 'issue 17: a short interest file whose quantities carry thousands separators (most rows rejected)',
    outcome:
      'the parser refuses the whole file (file, line 0, the count and the first bad row with its field): it never takes effect with $0 exposure, in `pulse build` and `pulse run` alike; a file with a minority of bad rows is taken, the rows reported',
    tests: [
      t(
        round2,
        'a short interest file with thousands separators in its quantities is refused whole, naming the first bad row',
      ),
      t(
        'test/formats/finra-short-interest.test.ts',
        'is refused whole: the same damaged rows without the twelve good ones outnumber the good',
      ),
    ],
  },
  {
    item: 'issue 17: a screener day most of whose rows have no valid price',
    outcome: 'refused whole by the parser (file, count, first bad row and field), not taken as a partial day',
    tests: [t(round2, 'a screener day most of whose rows have no valid price is refused whole')],
  },
  {
    item: 'issue 17: one day with half again as many listings, then normal days',
    outcome:
      "v3's rule 2 compares a candidate with the median of the last 5 accepted days: the normal days after the big one are accepted (v2, reproduced as published, rejected them all); a real partial day is still rejected, the reason naming the median",
    tests: [
      t(round2, 'v3: the median reference accepts them all'),
      t(round2, 'v3: a real partial day is still rejected, against the median'),
      t(round2, 'v2 (unchanged, reproducible): every day after the big one is rejected as partial'),
    ],
  },
  {
    item: 'issue 17: symbols with stray punctuation (`AAL.`, `AAL/`, `^AAL`, `AAL//B`, `-AAL`)',
    outcome:
      'the row is rejected on field `symbol` ("stray punctuation, not a ticker"), not read as a new symbol; `ABR^` (a preferred without a series, as the screener writes it) is still read',
    tests: [
      t(round2, 'screener symbol %s: the row is rejected on field symbol'),
      t(round2, 'a preferred without a series (ABR^) is still read, as the screener writes it'),
    ],
  },
  {
    item: 'issue 17: a JSON value nested 200,000 deep in one field of a screener day',
    outcome:
      'the row is rejected on that field (file, row, field; the value shown by its kind, never rendered whole); the day and its other rows are read — no stack overflow stops the day or `pulse run`',
    tests: [t(round2, 'rejects that row naming file, row and field; the day and its other rows are read')],
  },
  {
    item: 'issue 17: a gzipped short interest file, symlinked input files, a broken symlink',
    outcome:
      'one module (functions/lib/input-names.ts) lists an input folder for every command: `build` and `validate` read `shrt….csv.gz` as `run` does, and read through symlinks; a broken link is reported as not read',
    tests: [
      t(
        round2,
        'build and validate read a gzipped short interest file (as run does) and symlinked files; a broken link is reported',
      ),
    ],
  },
  {
    item: "issue 17: 10,000 junk files in an input folder; the operator's absolute path",
    outcome:
      'up to 10 are listed by their path inside the input (`prices/notes.txt`), more as one line with the count and the first three; `rejectedRows` counts rows, not junk files; no absolute path is published (the terminal lists every file)',
    tests: [
      t(round2, 'a few are listed by their path inside the input, never the operator’s absolute path'),
      t(round2, '10,000 of them are one line, not 10,000 rejected rows'),
    ],
  },
  {
    item: "issue 17: the local server's 500 answer",
    outcome:
      'it carries the security headers like every answer and says only "Internal error"; the cause goes to the terminal',
    tests: [t(round2, 'carries the security headers and no file path; the cause goes to the operator’s terminal')],
  },
  {
    item: 'issue 17: a second `pulse run` (or `npm start`) on a state folder in use',
    outcome:
      'refused at start with the folder and the other process named (a `.lock` with its pid), not a database stack trace; a lock left by a process that is gone (kill -9) is taken over',
    tests: [
      t(
        round2,
        'is refused with a clear message naming the folder and the process; a lock left by a dead process is taken over',
      ),
    ],
  },
  {
    item: 'issue 17: an archived raw copy cut short (kill -9 while the local archive wrote it) whose metadata records the whole file',
    outcome:
      'a new drop of the file sees the size differ from its recorded sha256 and archives it again from the source (logged); recovery from the archive (`pulse backfill`) reports a copy whose bytes fail their sha256 as failed with its key, reads nothing of it and goes on',
    tests: [
      t(
        'test/reliability/damaged-archive.test.ts',
        'a drop of the same file archives it again from the source instead of trusting the cut copy',
      ),
      t(
        'test/reliability/damaged-archive.test.ts',
        'recovery from the archive reports a damaged copy it cannot re-archive, reads nothing of it, and goes on',
      ),
    ],
  },
  {
    item: 'issue 17: the same day as `.json` and `.json.gz`',
    outcome:
      '`pulse build` reads the first in name order and rule 2 rejects the second as a duplicate (dataQuality); `pulse run` reads the first and reports the second as not read; `pulse validate` says which comes first',
    tests: [
      t(
        'test/local/duplicate-day.test.ts',
        'reads the first snapshot in name order and reports the second as not read',
      ),
      t('test/local/duplicate-day.test.ts', 'says which snapshot of the day comes first and is used'),
    ],
  },
  {
    item: 'issue 17: a company name of a megabyte',
    outcome:
      'names, sectors and industries (and FINRA issue names) keep their first 500 characters and an ellipsis (the longest real 2024 name is 226): the row and its figures stay, no 17 MB snapshot',
    tests: [
      t(round2, 'a megabyte company name keeps its first 500 characters and an ellipsis; the row and its figures stay'),
    ],
  },
  {
    item: 'issue 17: an input file larger than any real one (65 MiB; the same path refuses 1.2 GB and > 2 GiB files)',
    outcome:
      'refused before reading, by its size, naming the file; its SHA-256 is computed in 1 MiB chunks (bounded memory) for the sources list',
    tests: [t(round2, 'a 65 MiB price file (sparse) is refused with its size, hashed in chunks, never parsed')],
  },
  {
    item: 'issue 17: a phantom split row (splits.csv: a large cap split 10-for-1 on a day its price moved ~1%) in the middle of the window',
    outcome:
      "`pulse build` runs the figure gates on every day it folds (`gateViewAt`, the same numbers as each day's snapshot) against the day before, as the pipeline's publish step does: the day's tier-pnl gate refuses the build (exit 2), nothing published",
    tests: [
      t(
        hostile,
        'a phantom splits.csv 10-for-1 on a large cap in the middle of the window: pulse build refuses that day (tier-pnl), exit 2',
      ),
      t('test/gates/gate-view.test.ts', 'methodology %i'),
    ],
  },
  {
    item: 'issue 17: a short interest file in thousands of shares',
    outcome:
      'the day it takes effect, total exposure falls ~99.9%: the short-interest-move gate (new file, bound ±30%) refuses `pulse build` (exit 2) as it refuses the pipeline',
    tests: [
      t(
        hostile,
        'a short interest file in thousands of shares (every quantity ÷ 1000): pulse build refuses the day it takes effect (short-interest-move), exit 2',
      ),
    ],
  },
  {
    item: 'issue 17: a day whose market caps are all blank, mid-window',
    outcome:
      'no symbol is tiered the next day: the symbol-drop and short-interest-move gates refuse `pulse build` (exit 2)',
    tests: [
      t(
        hostile,
        'a day whose market caps are all blank, in the middle of the window: pulse build refuses it (the gates trip), exit 2',
      ),
    ],
  },
  {
    item: 'issue 17: a price file dated in the future (2099)',
    outcome:
      '`pulse build` and `pulse validate` refuse it unread (file, line 0, its date and today in New York) and list its source; the pipeline archives it and refuses it the same way against its clock; the other days are read',
    tests: [
      t(
        'test/reliability/damaged-archive.test.ts',
        'is archived and refused with its date and today in New York; it never becomes a day',
      ),
      t(
        round2,
        'pulse build (openInput) and validate (loadInput) refuse 2099-01-02.json unread, naming it; the other days are read',
      ),
    ],
  },
  {
    item: 'issue 17: a full disk while `pulse build` writes its outputs',
    outcome:
      'every output is written to a temporary name, flushed and renamed: the previous `history.json` (or any output) stays byte for byte, no temporary file is left, the error names the file',
    tests: [
      t(
        'test/cli/atomic-write.test.ts',
        'a write that fails half way (ENOSPC) keeps the previous file byte for byte and leaves no temporary file',
      ),
    ],
  },
];

/** The catalogue items issue 6 lists, in its words (each must be a `BAD_INPUT` item). */
export const ISSUE_CATALOGUE = [
  'HTML error page',
  'empty-day file',
  'truncated file',
  'missing or reordered columns',
  'CRLF line endings and a UTF-8 BOM',
  'in issue names',
  'fractional volumes',
  'negative or non-numeric quantities',
  'duplicate symbols in one file',
  'settlement date far in the past',
  'revision of an already-ingested settlement date',
  'far fewer symbols than the previous day',
  'stale repeated snapshot',
  '`$0.00`, `NA`, empty',
  'market cap `0.00` / empty',
  'share-count jump with a flat price',
  'share count updating days later',
  'weekend or exchange holiday',
  'gzip that fails to decompress',
  '10× oversized file',
] as const;

const cell = (s: string) => s.replace(/\|/g, '\\|');

function refs(tests: TestRef[]): string {
  const byFile = new Map<string, number>();
  for (const r of tests) byFile.set(r.file, (byFile.get(r.file) ?? 0) + 1);
  return [...byFile].map(([file, n]) => `\`${file.replace(/^test\//, '')}\`${n > 1 ? ` (${n})` : ''}`).join(', ');
}

/** A markdown table: item | outcome | tests (files, with how many tests of each). */
export function renderTable(cases: Case[]): string {
  const lines = ['| Case | Outcome | Tests |', '| --- | --- | --- |'];
  for (const c of cases) lines.push(`| ${cell(c.item)} | ${cell(c.outcome)} | ${cell(refs(c.tests))} |`);
  return lines.join('\n');
}
