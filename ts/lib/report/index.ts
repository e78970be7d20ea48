/**
 * Rendering a run's report from its summary file: build result, description, table, email (`backup.ts`, `restore.ts`),
 * Slack message (`slack.ts`), JUnit XML (`junit.ts`), CSV files for the Plot plugin (`plot.ts`) and the build
 * description with its links (`build-page.ts`). Pure functions (the Slack poster excepted); the shapes are
 * contract/report.ts.
 */
export * from './backup.js';
export * from './build-page.js';
export * from './junit.js';
export * from './plot.js';
export * from './restore.js';
export * from './slack.js';
