/**
 * Imported first by the local modules that load a Lambda handler: outside Lambda, the handlers' EMF metric
 * lines and JSON logs would land on the CLI's stdout, which carries the command's result. The variables keep
 * the names Powertools read (functions/lib/observability.ts reads them now, when it loads), so they are set
 * before that module loads; a value already in the environment wins (`POWERTOOLS_LOG_LEVEL=DEBUG npm start`).
 * The runner reports each day's problems itself (file, line, field, reason).
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
