/**
 * CDK entry point (`npx cdk synth` runs `node infra/app.ts`, see cdk.json). The only place that
 * reads context and the environment. Synth is offline and side-effect free: no lookups, no network.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { readConfig } from './config.ts';
import { addQualityGates } from './nag.ts';
import { buildShortPulse } from './short-pulse.ts';

const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

buildShortPulse(app, config, {
  projectRoot: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
  ...(account || region ? { env: { ...(account ? { account } : {}), ...(region ? { region } : {}) } } : {}),
});
addQualityGates(app);
app.synth();
