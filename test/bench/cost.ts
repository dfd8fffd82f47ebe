/**
 * Part 6: the monthly AWS bill for one full-market trading day a day, computed from the other parts'
 * measured counts (daily step, bundle init, site build and page weight), the infrastructure as
 * synthesized (memory, state machine path, alarms, lifecycle rules) and the price table in
 * aws-prices.ts. Nothing here is a typed-in dollar figure; the few quantities that cannot be measured
 * on this machine are named ASSUMPTIONS below and printed with the result.
 */
import path from 'node:path';
import { ALWAYS_FREE, AWS_PRICES, PRICES_CHECKED, PRICES_REGION, type Price } from './aws-prices.ts';
import { runChild } from './lib/child.ts';
import { atMost, type BenchContext, PartBuilder } from './lib/part.ts';
import { mdTable, type PartResult } from './lib/report.ts';
import { bytes, int, usd } from './lib/stats.ts';

export const COST_BUDGET_USD = 5;
export const PAGE_VIEWS_PER_MONTH = 100_000;
const TRADING_DAYS_PER_YEAR = 252;
const MONTH_DAYS = 365 / 12;
const TRADING_DAYS_PER_MONTH = TRADING_DAYS_PER_YEAR / 12;
/** Lambda gives a function one full vCPU at 1,769 MB and a proportional share below (AWS documentation). */
const FULL_VCPU_MB = 1769;

/** Not measurable here; each is printed beside the result. */
export const ASSUMPTIONS = {
  /** `npm ci` + two `aws s3 sync` in the site build (docs/architecture.md: "a few minutes, mostly npm ci"). */
  siteBuildSetupMinutes: 2,
  /** Log volume: Lambda's START/END/REPORT lines plus a few structured lines per invocation. */
  logBytesPerInvocation: 4_000,
  logBytesPerSiteBuild: 50_000,
} as const;

interface DailyData {
  ordinary: {
    stepMs: Record<string, number>;
    s3Put: number;
    s3Get: number;
    /** Issue 19: the stock files publish wrote (one PUT each), part of s3Put. */
    stockFilesWritten?: number;
    writeUnits: number;
    readUnits: number;
    s3BytesSentByBucket?: Record<string, number>;
    rawBucket?: string;
    siteBucket?: string;
  };
  restatement: {
    stepMs: Record<string, number>;
    s3Put: number;
    s3Get: number;
    writeUnits: number;
    readUnits: number;
  } | null;
  restatementDaysPerYear: number;
  storedGrowthPerDay: Record<string, number>;
}

interface SiteData {
  siteBuildMs: number;
  distFiles?: number;
  distBytes?: number;
  dataFiles?: number;
  snapshots?: number;
  archivePageBytes?: number;
  firstLoadBytes?: number;
  firstLoadRequests?: number;
  firstLoadPaths?: string[];
  /** Issue 19: a stock page of the sample, scored and weighed (part 5). */
  sampleStockPage?: { page: string; transfer: number };
  /** Issue 19: the real 2024 year's site, stock pages included (part 5), when ../shared/data is present. */
  real?: {
    siteBuildMs: number;
    distFiles: number;
    distBytes: number;
    stockDataFiles: number;
    stockPages: number;
    nvdaPage?: { transfer: number };
  };
}

interface InfraFacts {
  memory: Record<string, { memoryMb: number; architecture: string }>;
  alarms: { id: string; metrics: number }[];
  customMetrics: number;
  transitions: { ordinary: number; nonTrading: number; ordinaryPath: string[] };
  siteBuild: { computeType: string | null };
  buckets: { id: string; rules: { noncurrentDays: number | null; transitions: string[]; prefix: string | null }[] }[];
  cloudfront: { defaultViewerFunction: boolean; behaviors: { path: string; viewerFunction: boolean }[] };
}

interface LineItem {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  price: Price;
  /** Quantity the always-free tier covers (0 if none). */
  free: number;
  basis: string;
}

function matches(pattern: string, p: string): boolean {
  return pattern.endsWith('*') ? p.startsWith(pattern.slice(0, -1)) : p === pattern;
}

export async function runCostPart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('cost');
  const results = ctx.results();
  const daily = results.daily?.status === 'done' ? (results.daily.data as unknown as DailyData) : undefined;
  const site = results.site?.data as unknown as SiteData | undefined;
  const bundles = (results.bundles?.data as { bundles?: Record<string, { initMs: number }> } | undefined)?.bundles;
  const missing = [!daily && 'daily', !site && 'site', !bundles && 'bundles'].filter(Boolean);
  if (!daily) return part.finish('pending', `needs the daily-step figures (part 3); missing: ${missing.join(', ')}`);

  ctx.log('  reading the infrastructure (cdk synth, bundling off)…');
  const facts = (await runChild(path.join(import.meta.dirname, 'children', 'infra-facts.ts'), []))
    .report as unknown as InfraFacts;

  const restatementDays = (daily.restatement ? daily.restatementDaysPerYear : 0) / 12;
  const ordinaryDays = TRADING_DAYS_PER_MONTH - restatementDays;
  const nonTradingDays = MONTH_DAYS - TRADING_DAYS_PER_MONTH;
  const steps = Object.keys(daily.ordinary.stepMs);
  const init = (step: string) => bundles?.[step]?.initMs ?? 0;
  const memGb = (step: string) => (facts.memory[step]?.memoryMb ?? 1024) / 1024;
  const slowdown = (step: string) => Math.max(1, FULL_VCPU_MB / (facts.memory[step]?.memoryMb ?? FULL_VCPU_MB));
  const gbSeconds = (stepMs: Record<string, number>) =>
    steps.reduce((s, step) => s + memGb(step) * (((stepMs[step] ?? 0) * slowdown(step) + init(step)) / 1000), 0);
  const lambdaGbs =
    ordinaryDays * gbSeconds(daily.ordinary.stepMs) +
    restatementDays * gbSeconds(daily.restatement?.stepMs ?? daily.ordinary.stepMs) +
    nonTradingDays * memGb('ingest') * (init('ingest') / 1000);
  const invocations = TRADING_DAYS_PER_MONTH * steps.length + nonTradingDays;

  const rs = daily.restatement ?? daily.ordinary;
  const perMonth = (o: number, r: number) => ordinaryDays * o + restatementDays * r;
  // The site build (every trading day): `aws s3 sync` of data/ down (a GET per file), then the whole
  // dist up — sync uploads every file whose local copy is newer, which after a fresh build is all of them.
  // The sample build publishes one day; after a year the site has an archive page and a data file
  // per trading day more (each archive page the size measured in the sample build).
  // With the real 2024 year measured (part 5), its site (about 5,800 stock pages and stock files, issue 19)
  // replaces the sample's: the pages, the files synced and the build time are the market's.
  const moreDays = Math.max(0, TRADING_DAYS_PER_YEAR - (site?.snapshots ?? 1));
  const real = site?.real;
  const distFiles = (real?.distFiles ?? site?.distFiles ?? 0) + moreDays;
  const distBytes = (real?.distBytes ?? site?.distBytes ?? 0) + moreDays * (site?.archivePageBytes ?? 0);
  const dataFiles = (real ? (site?.dataFiles ?? 0) + real.stockDataFiles : (site?.dataFiles ?? 0)) + moreDays;
  const listCalls = (keys: number) => Math.max(1, Math.ceil(keys / 1000));
  const buildPuts = distFiles + listCalls(distFiles) * 2 + listCalls(dataFiles);
  const buildGets = dataFiles;
  const s3Puts = perMonth(daily.ordinary.s3Put, rs.s3Put) + TRADING_DAYS_PER_MONTH * buildPuts;
  const s3Gets = perMonth(daily.ordinary.s3Get, rs.s3Get) + TRADING_DAYS_PER_MONTH * buildGets;

  // Storage after a year: current objects grow as measured per day; overwritten objects stay as
  // noncurrent versions for the bucket's rule (raw 90 days, site 30), priced at S3 Standard throughout
  // (raw/ moves to Infrequent Access after 30 days: the figure is an upper bound).
  const rawName = daily.ordinary.rawBucket ?? 'short-pulse-raw';
  const siteName = daily.ordinary.siteBucket ?? 'short-pulse-site';
  const noncurrentDays = (id: string) =>
    Math.max(0, ...(facts.buckets.find((b) => b.id === id)?.rules.map((r) => r.noncurrentDays ?? 0) ?? [0]));
  const growth = daily.storedGrowthPerDay;
  const sent = daily.ordinary.s3BytesSentByBucket ?? {};
  const rawCurrent = (growth[rawName] ?? 0) * TRADING_DAYS_PER_YEAR;
  const siteCurrent = (growth[siteName] ?? 0) * TRADING_DAYS_PER_YEAR + distBytes;
  const tradingShare = TRADING_DAYS_PER_YEAR / 365;
  const rawNoncurrent =
    Math.max(0, (sent[rawName] ?? 0) - (growth[rawName] ?? 0)) * noncurrentDays('RawBucket') * tradingShare;
  const siteNoncurrent =
    (Math.max(0, (sent[siteName] ?? 0) - (growth[siteName] ?? 0)) + distBytes) *
    noncurrentDays('SiteBucket') *
    tradingShare;
  const storedGb = (rawCurrent + siteCurrent + rawNoncurrent + siteNoncurrent) / 1e9;

  const views = PAGE_VIEWS_PER_MONTH;
  const paths = site?.firstLoadPaths ?? [];
  const functionPerView = paths.filter((p) => {
    const behavior = facts.cloudfront.behaviors.find((b) => matches(b.path, p));
    return behavior ? behavior.viewerFunction : facts.cloudfront.defaultViewerFunction;
  }).length;
  const siteBuildMs = real?.siteBuildMs ?? site?.siteBuildMs ?? 0;
  const siteBuildMinutes = siteBuildMs / 60_000 + ASSUMPTIONS.siteBuildSetupMinutes;
  const alarmMetrics = facts.alarms.reduce((s, a) => s + a.metrics, 0);
  const logGb =
    (invocations * ASSUMPTIONS.logBytesPerInvocation + TRADING_DAYS_PER_MONTH * ASSUMPTIONS.logBytesPerSiteBuild) / 1e9;

  const items: LineItem[] = [
    {
      service: 'Lambda',
      item: 'compute',
      quantity: lambdaGbs,
      unit: 'GB-s',
      price: AWS_PRICES.lambdaArmGbSecond,
      free: ALWAYS_FREE.lambdaGbSeconds,
      basis: `measured step time × ${steps.map((s) => `${(slowdown(s)).toFixed(2)}`).join('/')} (vCPU share at ${steps.map((s) => facts.memory[s]?.memoryMb).join('/')} MB) + measured cold init, × memory; ingest only (init) on ${nonTradingDays.toFixed(1)} non-trading days`,
    },
    {
      service: 'Lambda',
      item: 'requests',
      quantity: invocations,
      unit: 'requests',
      price: AWS_PRICES.lambdaRequest,
      free: ALWAYS_FREE.lambdaRequests,
      basis: `${steps.length} a trading day, 1 a non-trading day`,
    },
    {
      service: 'DynamoDB',
      item: 'writes',
      quantity: perMonth(daily.ordinary.writeUnits, rs.writeUnits),
      unit: 'WRU',
      price: AWS_PRICES.dynamoWriteUnit,
      free: 0,
      basis: `measured: ${daily.ordinary.writeUnits} a day, ${rs.writeUnits} on a restatement day`,
    },
    {
      service: 'DynamoDB',
      item: 'reads',
      quantity: perMonth(daily.ordinary.readUnits, rs.readUnits),
      unit: 'RRU',
      price: AWS_PRICES.dynamoReadUnit,
      free: 0,
      basis: `measured: ${daily.ordinary.readUnits} a day`,
    },
    {
      service: 'S3',
      item: 'PUT/LIST requests',
      quantity: s3Puts,
      unit: 'requests',
      price: AWS_PRICES.s3PutRequest,
      free: 0,
      basis: `measured ${daily.ordinary.s3Put} a day (${rs.s3Put} restating) + site build ${int(buildPuts)} (every one of the ${int(distFiles)} files of a year's site re-uploaded by \`aws s3 sync\`: after a build every local copy is newer)`,
    },
    {
      service: 'S3',
      item: 'GET/HEAD requests',
      quantity: s3Gets,
      unit: 'requests',
      price: AWS_PRICES.s3GetRequest,
      free: 0,
      basis: `measured ${daily.ordinary.s3Get} a day + site build ${int(buildGets)} (a year of data/ synced down)`,
    },
    {
      service: 'S3',
      item: 'storage after one year',
      quantity: storedGb,
      unit: 'GB-month',
      price: AWS_PRICES.s3StandardGbMonth,
      free: 0,
      basis: `current ${bytes(rawCurrent + siteCurrent)} + noncurrent versions ${bytes(rawNoncurrent + siteNoncurrent)} (${noncurrentDays('RawBucket')}/${noncurrentDays('SiteBucket')} days kept), all at Standard`,
    },
    {
      service: 'CloudFront',
      item: 'transfer',
      quantity: (views * (site?.firstLoadBytes ?? 0)) / 1e9,
      unit: 'GB',
      price: AWS_PRICES.cloudfrontTransferGb,
      free: ALWAYS_FREE.cloudfrontTransferGb,
      basis: `${int(views)} views × ${bytes(site?.firstLoadBytes ?? Number.NaN)} measured first load (no view cached: upper bound)`,
    },
    {
      service: 'CloudFront',
      item: 'HTTPS requests',
      quantity: views * (site?.firstLoadRequests ?? 0),
      unit: 'requests',
      price: AWS_PRICES.cloudfrontHttpsRequest,
      free: ALWAYS_FREE.cloudfrontRequests,
      basis: `${site?.firstLoadRequests ?? '—'} requests a view`,
    },
    {
      service: 'CloudFront',
      item: 'viewer-request function',
      quantity: views * functionPerView,
      unit: 'invocations',
      price: AWS_PRICES.cloudfrontFunctionInvocation,
      free: ALWAYS_FREE.cloudfrontFunctionInvocations,
      basis: `${functionPerView} of the first-load requests hit a behavior with the function`,
    },
    {
      service: 'Step Functions',
      item: 'state transitions',
      quantity: TRADING_DAYS_PER_MONTH * facts.transitions.ordinary + nonTradingDays * facts.transitions.nonTrading,
      unit: 'transitions',
      price: AWS_PRICES.stepFunctionsTransition,
      free: ALWAYS_FREE.stepFunctionsTransitions,
      basis: `${facts.transitions.ordinary} on a trading day (${facts.transitions.ordinaryPath.join(' → ')}), ${facts.transitions.nonTrading} otherwise`,
    },
    {
      service: 'CodeBuild',
      item: 'site build',
      quantity: TRADING_DAYS_PER_MONTH * siteBuildMinutes,
      unit: 'minutes',
      price: AWS_PRICES.codebuildLambdaArm4GbMinute,
      free: 0,
      basis: `measured astro build ${site ? (siteBuildMs / 1000).toFixed(0) : '—'} s${real ? ` (real 2024, ${int(real.stockPages)} stock pages)` : ''} + ASSUMED ${ASSUMPTIONS.siteBuildSetupMinutes} min for npm ci and sync (${facts.siteBuild.computeType ?? '?'})`,
    },
    {
      service: 'CloudWatch',
      item: 'alarm metrics',
      quantity: alarmMetrics,
      unit: 'metrics',
      price: AWS_PRICES.cloudwatchAlarmMetric,
      free: ALWAYS_FREE.cloudwatchAlarmMetrics,
      basis: `${facts.alarms.length} alarms watching ${alarmMetrics} metrics (synthesized template)`,
    },
    {
      service: 'CloudWatch',
      item: 'custom metrics',
      quantity: facts.customMetrics,
      unit: 'metrics',
      price: AWS_PRICES.cloudwatchCustomMetric,
      free: ALWAYS_FREE.cloudwatchCustomMetrics,
      basis: 'functions/lib/metric-names.ts',
    },
    {
      service: 'CloudWatch',
      item: 'logs ingested',
      quantity: logGb,
      unit: 'GB',
      price: AWS_PRICES.cloudwatchLogsIngestGb,
      free: ALWAYS_FREE.cloudwatchLogsGb,
      basis: `ASSUMED ${bytes(ASSUMPTIONS.logBytesPerInvocation)} an invocation, ${bytes(ASSUMPTIONS.logBytesPerSiteBuild)} a build`,
    },
  ];
  const cost = (i: LineItem, withFree: boolean) => Math.max(0, i.quantity - (withFree ? i.free : 0)) * i.price.usd;
  const total = items.reduce((s, i) => s + cost(i, false), 0);
  const totalFree = items.reduce((s, i) => s + cost(i, true), 0);
  const partial = missing.length > 0;
  part.figure({
    name: 'monthly bill at list prices',
    value: `${usd(total)}${partial ? ` (partial: ${missing.join(', ')} not measured)` : ''}`,
    budget: '≤ $5',
    verdict: partial ? 'pending' : atMost(total, COST_BUDGET_USD),
  });
  part.figure({ name: 'with the always-free tiers', value: usd(totalFree) });
  // Issue 19: what the per-stock files cost (publish's stock JSON and the site build's stock pages, a PUT each).
  const stockPuts = TRADING_DAYS_PER_MONTH * ((daily.ordinary.stockFilesWritten ?? 0) + (real?.stockPages ?? 0));
  if (stockPuts > 0) {
    part.figure({
      name: 'of which the per-stock files (issue 19)',
      value: `${int(stockPuts)} PUTs a month = ${usd(stockPuts * AWS_PRICES.s3PutRequest.usd)} (${int(daily.ordinary.stockFilesWritten ?? 0)} stock files from publish + ${int(real?.stockPages ?? 0)} stock pages from the site build, a trading day)`,
    });
  }
  // Issue 19: what the same 100k views cost when every one is a stock page (its first load, measured in part 5).
  const stockTransfer = real?.nvdaPage?.transfer ?? site?.sampleStockPage?.transfer;
  if (stockTransfer !== undefined) {
    const gb = (views * stockTransfer) / 1e9;
    part.figure({
      name: `CloudFront transfer if all ${int(views)} views are stock pages`,
      value: `${gb.toFixed(1)} GB × $${AWS_PRICES.cloudfrontTransferGb.usd} = ${usd(gb * AWS_PRICES.cloudfrontTransferGb.usd)} (${usd(Math.max(0, gb - ALWAYS_FREE.cloudfrontTransferGb) * AWS_PRICES.cloudfrontTransferGb.usd)} after the always-free 1 TB); ${bytes(stockTransfer)} a first load${real?.nvdaPage ? ' (real /stock/NVDA/)' : ' (a sample stock page)'}`,
    });
  }
  const largest = [...items].sort((a, b) => cost(b, false) - cost(a, false)).slice(0, 3);
  part.figure({
    name: 'largest items',
    value: largest.map((i) => `${i.service} ${i.item} ${usd(cost(i, false))}`).join(', '),
  });
  part.detail(
    [
      `One full-market trading day a day: ${TRADING_DAYS_PER_MONTH.toFixed(1)} trading days a month (${TRADING_DAYS_PER_YEAR} a year), ${restatementDays.toFixed(1)} of them restatement days (${daily.restatementDaysPerYear} short interest files a year), ${nonTradingDays.toFixed(1)} non-trading days on which the schedule still fires; ${int(views)} page views. Prices: \`test/bench/aws-prices.ts\` (${PRICES_REGION}, checked ${PRICES_CHECKED}). Quantities: parts 3 (daily step), 4 (cold init) and 5 (site) of this page, and the synthesized templates (memory, state machine, alarms, lifecycle).`,
      '',
      mdTable(
        ['Service', 'Item', 'Quantity / month', 'Unit price', 'List', 'After always-free', 'Basis'],
        items.map((i) => [
          i.service,
          i.item,
          `${i.quantity < 10 ? i.quantity.toPrecision(3) : int(i.quantity)} ${i.unit}`,
          `$${i.price.usd.toPrecision(3)} / ${i.price.unit.split(' (')[0]}${i.price.verified ? '' : ' (unverified)'}`,
          usd(cost(i, false)),
          usd(cost(i, true)),
          i.basis,
        ]),
      ),
      '',
      `**Total ${usd(total)} a month at list prices, ${usd(totalFree)} after the always-free tiers** (budget $${COST_BUDGET_USD}).`,
      '',
      `Assumptions (not measurable on this machine): ${Object.entries(ASSUMPTIONS)
        .map(([k, v]) => `\`${k}\` = ${v}`)
        .join(
          ', ',
        )}. Durations were measured on this machine; Lambda below ${FULL_VCPU_MB} MB gets a proportional vCPU share, so step times are scaled by ${FULL_VCPU_MB}/memory as a margin. Not modelled (cents or less): DynamoDB storage and point-in-time recovery of a table of a few thousand small items, SQS/SNS/EventBridge Scheduler (within their free allowances at ~30 events a month), X-Ray (~1,000 traces a month), the access-log bucket, AWS Budgets (the first two budgets are free). ${AWS_PRICES.codebuildLambdaArm4GbMinute.note}`,
    ].join('\n'),
  );
  part.data({ totalUsd: total, totalWithFreeTierUsd: totalFree });
  return part.finish(partial ? 'done' : 'done', partial ? `missing inputs: ${missing.join(', ')}` : undefined);
}
