/**
 * The daily Astro build in AWS: a CodeBuild project on Lambda compute (ARM, Node 24 image), started
 * by the state machine after publish with the `.sync` integration. Its source is an S3 asset of the
 * files the site build needs (site/, shared/, docs/, package files), uploaded at deploy time, so
 * synth needs neither Docker nor a repository connection. The build pulls `data/` from the site
 * bucket (what publish wrote), runs `astro build`, and uploads the pages: fingerprinted assets first
 * and never deleted (a cached page may still reference them), then the pages with `--delete`.
 * `data/*` and `rss.xml` are publish's: excluded from the upload and denied to this role.
 */
import { ArnFormat, IgnoreMode, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { CACHE_CONTROL } from '../../shared/present/security-headers.ts';
import { acknowledge, wildcardResourceFinding } from '../nag.ts';

/** gitignore-style allowlist of what the build needs from the repository. */
export const SITE_SOURCE_PATTERNS = [
  '/*',
  '!/site',
  '!/shared',
  '!/docs',
  '!/package.json',
  '!/package-lock.json',
  '!/tsconfig.json',
  'node_modules',
  '/site/dist',
  '/site/.astro',
];

/** The site build's install: the lockfile's `dependencies` only, no install scripts (see the buildspec). */
export const SITE_INSTALL = 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund';

/** Keys the site build must never write: publish owns them. */
export const PUBLISH_OWNED = ['data/*', 'rss.xml'] as const;

export interface SiteBuildProps {
  readonly projectRoot: string;
  readonly siteBucket: IBucket;
  /** Public URL of the site (canonical links and the feed's self link). */
  readonly siteUrl: string;
}

export class SiteBuild extends Construct {
  readonly project: codebuild.Project;

  constructor(scope: Construct, id: string, props: SiteBuildProps) {
    super(scope, id);
    const { siteBucket } = props;

    const source = new s3assets.Asset(this, 'Source', {
      path: props.projectRoot,
      exclude: SITE_SOURCE_PATTERNS,
      ignoreMode: IgnoreMode.GIT,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const sync = 'aws s3 sync --only-show-errors';
    this.project = new codebuild.Project(this, 'Project', {
      description: 'Short Pulse: daily static site build (Astro) from the published data',
      source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
      environment: {
        // Lambda compute: starts in seconds and bills by the second (no 1-minute minimum of EC2 compute).
        buildImage: codebuild.LinuxArmLambdaBuildImage.AMAZON_LINUX_2023_NODE_24,
        computeType: codebuild.ComputeType.LAMBDA_4GB,
      },
      environmentVariables: {
        SITE_BUCKET: { value: siteBucket.bucketName },
        PULSE_SITE_URL: { value: props.siteUrl },
      },
      logging: { cloudWatch: { logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        // Lambda compute offers writable /tmp; keep npm's cache there rather than in $HOME.
        env: { variables: { NPM_CONFIG_UPDATE_NOTIFIER: 'false', npm_config_cache: '/tmp/npm-cache' } },
        phases: {
          // Issue 20 item 4: the site's own dependencies only. package.json's `dependencies` are exactly what the
          // site build imports (test/infra/site-dependencies.test.ts); everything else (the CDK, the AWS SDK,
          // the emulators, DuckDB, Lighthouse…) is a devDependency. No install scripts: the image's Node 24
          // runs the build, so the `node` package's second Node is never downloaded, and sharp, esbuild and
          // rolldown take their prebuilt binaries from their optional packages. Measured: 205 packages, 173 MB,
          // 11 s, against ~800 packages and 939 MB for `npm ci` of the repository (docs/architecture.md).
          install: { commands: [SITE_INSTALL] },
          build: {
            'on-failure': 'ABORT',
            // Buildspec 0.2 runs the commands of a phase in one shell, so the export carries over;
            // Astro needs an absolute PULSE_DATA_DIR, and env values in the buildspec are not expanded.
            commands: [
              'export PULSE_DATA_DIR="$CODEBUILD_SRC_DIR/.local/site-data"',
              `${sync} "s3://$SITE_BUCKET/data/" "$PULSE_DATA_DIR/"`,
              'npx astro build --root site',
              `${sync} site/dist/_astro "s3://$SITE_BUCKET/_astro" --cache-control "${CACHE_CONTROL.immutable}"`,
              `${sync} site/dist "s3://$SITE_BUCKET/" --delete --exclude "_astro/*" ${PUBLISH_OWNED.map((k) => `--exclude "${k}"`).join(' ')} --cache-control "${CACHE_CONTROL.short}"`,
            ],
          },
        },
      }),
    });

    const role = this.project.role!;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [siteBucket.bucketArn] }),
    );
    const data = siteBucket.arnForObjects('data/*');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [data] }));
    const pages = siteBucket.arnForObjects('*');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [pages] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: PUBLISH_OWNED.map((k) => siteBucket.arnForObjects(k)),
      }),
    );

    acknowledge(
      this,
      wildcardResourceFinding(this, data),
      'The build reads the published data/ objects; S3 object permissions need a key pattern.',
    );
    acknowledge(
      this,
      wildcardResourceFinding(this, pages),
      'The build replaces the pages of the site bucket; data/* and rss.xml are explicitly denied (publish owns them).',
    );
    // CodeBuild's own grants: its source asset (one object key, but with s3:GetObject*-style actions),
    // its default log group and its test-report groups, all named after this project.
    const stack = Stack.of(this);
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*']) {
      acknowledge(
        this,
        `AwsSolutions-IAM5[Action::${action}]`,
        'CodeBuild reads its own source asset (one object of the CDK asset bucket) with the grant CDK generates for S3 sources.',
      );
    }
    acknowledge(
      this,
      wildcardResourceFinding(
        this,
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: `/aws/codebuild/${this.project.projectName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
      "Log streams of this project's default CodeBuild log group, as CodeBuild's service grant names them.",
    );
    acknowledge(
      this,
      wildcardResourceFinding(
        this,
        stack.formatArn({
          service: 'codebuild',
          resource: 'report-group',
          resourceName: `${this.project.projectName}-*`,
        }),
      ),
      "This project's own test-report groups (CodeBuild's default grant); the build publishes no reports.",
    );
    acknowledge(
      this,
      'AwsSolutions-CB4',
      'Build artifacts are public web pages; CodeBuild encrypts with the AWS-managed S3 key, and a customer KMS key would cost $1/month (20% of the budget) for no confidentiality gain.',
    );
  }
}
