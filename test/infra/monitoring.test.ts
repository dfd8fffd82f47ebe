/**
 * Issue 18, item 5, "stale input is an alarm, not silence": the stale short interest, stale prices and
 * provider-failing alarms of the synthesized pipeline stack (metric, statistic, period, threshold,
 * evaluation periods, missing data, the alarm topic), and the short interest threshold checked against
 * FINRA's calendar: above every normal age, crossed soon after a file fails to come.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METRIC,
  METRIC_NAMESPACE,
  PROVIDER_SOURCES,
  SERVICE_NAME,
  SOURCE_DIMENSION,
} from '../../functions/lib/metric-names.ts';
import { calendarDaysBetween } from '../../functions/pipeline/staleness.ts';
import {
  PRICE_MAX_AGE_DAYS,
  PROVIDER_FAILED_DAYS,
  SHORT_INTEREST_MAX_AGE_DAYS,
  SITE_BUILD_STALE_METRIC,
  SITE_BUILD_STALE_STATES,
} from '../../infra/constructs/monitoring.ts';
import { addCalendarDays, publicationDate, settlementDates, tradingDays } from '../../shared/calendar.ts';
import { resourcesOfType, type Synthesized, synthShortPulse } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthShortPulse();
});
afterAll(() => s.cleanup());

type AlarmProperties = Record<string, unknown> & { Dimensions?: { Name: string; Value: string }[] };

function alarmsOf(metricName: string): AlarmProperties[] {
  return Object.values(resourcesOfType(s.pipeline, 'AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties as AlarmProperties)
    .filter((p) => p.MetricName === metricName);
}

const topicRef = () => ({ Ref: Object.keys(resourcesOfType(s.pipeline, 'AWS::SNS::Topic'))[0]! });
const service = { Name: 'service', Value: SERVICE_NAME };

describe('stale input alarms', () => {
  it.each([
    [METRIC.shortInterestAgeDays, SHORT_INTEREST_MAX_AGE_DAYS, 32],
    [METRIC.priceAgeDays, PRICE_MAX_AGE_DAYS, 4],
  ])(
    '%s: the day’s minimum above %i days (pinned: %i), one datapoint, missing data ignored',
    (metric, threshold, pinned) => {
      expect(threshold).toBe(pinned);
      const alarms = alarmsOf(metric);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({
        Namespace: METRIC_NAMESPACE,
        Dimensions: [service],
        Statistic: 'Minimum',
        Period: 86_400,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: threshold,
        EvaluationPeriods: 1,
        TreatMissingData: 'ignore',
        AlarmActions: [topicRef()],
      });
    },
  );

  it(`alarms per provider source when it failed on ${PROVIDER_FAILED_DAYS} daily datapoints in a row`, () => {
    expect(PROVIDER_FAILED_DAYS).toBe(3);
    const alarms = alarmsOf(METRIC.providerFailed);
    const bySource = new Map(
      alarms.map((a) => [a.Dimensions?.find((d) => d.Name === SOURCE_DIMENSION)?.Value, a] as const),
    );
    expect([...bySource.keys()].sort()).toEqual([...PROVIDER_SOURCES].sort());
    for (const [source, alarm] of bySource) {
      expect(alarm.Dimensions, source).toEqual(
        expect.arrayContaining([service, { Name: SOURCE_DIMENSION, Value: source }]),
      );
      expect(alarm.Dimensions, source).toHaveLength(2);
      expect(alarm, source).toMatchObject({
        Namespace: METRIC_NAMESPACE,
        Statistic: 'Minimum',
        Period: 86_400,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: PROVIDER_FAILED_DAYS,
        DatapointsToAlarm: PROVIDER_FAILED_DAYS,
        TreatMissingData: 'ignore',
        AlarmActions: [topicRef()],
      });
    }
  });
});

describe('the site build (issue 20 item 4)', () => {
  it('has its own "site stale" alarm: a failed build of the site project, or a run whose build never started', () => {
    const alarms = Object.values(resourcesOfType(s.pipeline, 'AWS::CloudWatch::Alarm'))
      .map(
        (r) =>
          r.Properties as AlarmProperties & { Metrics?: { Id: string; Expression?: string; MetricStat?: unknown }[] },
      )
      .filter((p) => String(p.AlarmDescription).startsWith('The site build failed'));
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    expect(alarm).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
    const metrics = Object.fromEntries((alarm!.Metrics ?? []).map((m) => [m.Id, m]));
    expect(Object.values(metrics).find((m) => m.Expression)?.Expression).toBe('FILL(failed, 0) + FILL(stale, 0)');
    const projects = Object.keys(resourcesOfType(s.pipeline, 'AWS::CodeBuild::Project'));
    expect(projects).toHaveLength(1);
    expect(metrics.failed?.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/CodeBuild',
        MetricName: 'FailedBuilds',
        Dimensions: [{ Name: 'ProjectName', Value: { Ref: projects[0] } }],
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect(metrics.stale?.MetricStat).toMatchObject({
      Metric: { Namespace: METRIC_NAMESPACE, MetricName: SITE_BUILD_STALE_METRIC },
      Period: 300,
      Stat: 'Sum',
    });
    // Counted from the state machine's own log (level ALL): each entry into a "site stale" state, which an execution
    // reaches when its build failed or could not start (StartBuild refused: quota, grant, project) — no build, so no
    // FailedBuilds.
    const filters = Object.values(resourcesOfType(s.pipeline, 'AWS::Logs::MetricFilter')).map(
      (r) =>
        r.Properties as {
          FilterPattern?: string;
          LogGroupName?: unknown;
          MetricTransformations?: { MetricName?: string }[];
        },
    );
    const stale = filters.filter((f) => f.MetricTransformations?.[0]?.MetricName === SITE_BUILD_STALE_METRIC);
    expect(stale).toHaveLength(1);
    expect(stale[0]!.MetricTransformations).toEqual([
      { MetricNamespace: METRIC_NAMESPACE, MetricName: SITE_BUILD_STALE_METRIC, MetricValue: '1' },
    ]);
    const pattern = String(stale[0]!.FilterPattern);
    expect(pattern).toContain('$.type = "PassStateEntered"');
    for (const name of SITE_BUILD_STALE_STATES) expect(pattern).toContain(`$.details.name = "${name}"`);
    const logGroups = Object.entries(resourcesOfType(s.pipeline, 'AWS::Logs::LogGroup'));
    const machine = Object.values(resourcesOfType(s.pipeline, 'AWS::StepFunctions::StateMachine'))[0]!;
    const destination = JSON.stringify(machine.Properties!.LoggingConfiguration);
    const [logGroupId] = logGroups.find(([id]) => destination.includes(id)) ?? [];
    expect(stale[0]!.LogGroupName).toEqual({ Ref: logGroupId });
    // The states it counts are the state machine's "site stale" Pass states.
    const parts = (machine.Properties!.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const definition = parts.filter((p): p is string => typeof p === 'string').join('');
    for (const name of SITE_BUILD_STALE_STATES) expect(definition).toContain(`"${name}":{"Type":"Pass"`);
  });
});

describe('the short interest threshold on FINRA’s calendar (2024–2035)', () => {
  // The pipeline asks for a file from its publication day (functions/providers/finra.ts): the file in
  // effect on A is the newest settled one published by A.
  const published = (a: string) => settlementDates(addCalendarDays(a, -80), a).filter((t) => publicationDate(t) <= a);
  const days = tradingDays('2024-01-02', '2035-12-31');
  // Each publication day with the two newest files then known (the one due that day, the one before).
  const dues = days.flatMap((a, i) => {
    const files = published(a);
    return a < '2035-10-01' && publicationDate(files.at(-1)!) === a ? [{ i, previous: files.at(-2)! }] : [];
  });

  it('stays quiet on every trading day when every file arrives (ages up to 28 days)', () => {
    const ages = days.map((a) => calendarDaysBetween(published(a).at(-1)!, a));
    expect(Math.max(...ages)).toBe(28);
    expect(Math.max(...ages)).toBeLessThanOrEqual(SHORT_INTEREST_MAX_AGE_DAYS);
  });

  it('stays quiet when a file comes one trading day late (the file before it still in effect that day)', () => {
    expect(dues.length).toBeGreaterThan(250);
    for (const { i, previous } of dues) {
      expect(calendarDaysBetween(previous, days[i + 1]!), days[i]).toBeLessThanOrEqual(SHORT_INTEREST_MAX_AGE_DAYS);
    }
  });

  it('fires within 8 trading days (12 calendar days) of the publication day of a file that never comes', () => {
    const waits = dues.map(({ i, previous }) => {
      const fires = days.findIndex((d, j) => j >= i && calendarDaysBetween(previous, d) > SHORT_INTEREST_MAX_AGE_DAYS);
      return { trading: fires - i, calendar: calendarDaysBetween(days[i]!, days[fires]!) };
    });
    expect(Math.max(...waits.map((w) => w.trading))).toBe(8);
    expect(Math.max(...waits.map((w) => w.calendar))).toBe(12);
  });
});
