/**
 * Imported first by the local modules that load a Lambda handler: outside Lambda, Powertools would print
 * its EMF metric lines and JSON logs on the CLI's stdout, which carries the command's result. Powertools
 * reads these settings when functions/lib/observability.ts builds its instances, so they are set before
 * that module loads; a value already in the environment wins (`POWERTOOLS_LOG_LEVEL=DEBUG npm start`).
 * The runner reports each day's problems itself (file, line, field, reason).
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
