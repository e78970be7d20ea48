import com.cloudbees.groovy.cps.NonCPS
import groovy.transform.Field

// Shows a run on the build page and sends it (see ssmBackupReport.txt). The engine renders everything from the
// summary file it wrote (`ssm-backup notify --out-dir`); this step only reads report.json. Never fails the build.
@Field static final Map DEFAULTS = [kind: 'backup', summaryFile: null, result: null, failureMessage: null, environment: null,
        dryRun: false, slackChannel: null, slackWebhookCredentialsId: null, email: null, runbookUrl: null, nodejs: null]
@Field static final String REPORT_DIR = 'ssm-backup-work/report'

/** Returns report.json as a Map: result, description, table, email, slack, ... (see ts/lib/report.ts). */
Map call(Map args) {
    Map config = ssmBackupEngine.options('ssmBackupReport', DEFAULTS, args, ['kind', 'summaryFile'])
    if (config.problem) {
        error(config.problem)
    }
    boolean hasSummary = fileExists(config.summaryFile)
    List<String> engineEnv = ssmBackupEngine.toEnv(renderOptions(config, hasSummary, "${pwd()}/", env.BUILD_URL, env.JOB_NAME,
            env.BUILD_NUMBER, (long) (currentBuild.duration / 1000)))
    Map rendered = render(engineEnv, config)
    Map report = rendered.exitCode == 0 ? readJSON(file: "${REPORT_DIR}/report.json", returnPojo: true) : unrendered(config, rendered.error.message)
    currentBuild.description = report.description
    echo("${report.description}\n${report.table}${report.notes ? '\n' + report.notes.join('\n') : ''}")
    if (hasSummary) {
        archiveArtifacts(artifacts: config.summaryFile, allowEmptyArchive: true)
    }
    if (config.kind == 'backup' && rendered.exitCode == 0) {
        recordJunit()
    }
    ssmBackupNotify(report: report, engineEnv: rendered.exitCode == 0 ? engineEnv : [], slackChannel: config.slackChannel,
            slackWebhookCredentialsId: config.slackWebhookCredentialsId, email: config.email, nodejs: config.nodejs)
    return report
}

/** Runs `ssm-backup notify --out-dir`; an engine that cannot run (no Node.js) is returned as a failed render, not thrown. */
Map render(List<String> engineEnv, Map config) {
    try {
        return ssmBackupEngine(command: 'notify', name: "report-${config.kind}", env: engineEnv, nodejs: config.nodejs)
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        return [exitCode: -1, error: [message: problem.message]]
    }
}

/** JUnit plugin: one test case per region, so Jenkins draws per-region trends. The step owns the build result. */
void recordJunit() {
    try {
        junit(testResults: REPORT_DIR + '/junit.xml', allowEmptyResults: true, skipMarkingBuildUnstable: true)
    } catch (NoSuchMethodError missing) {
        echo('Per-region test report not recorded: the JUnit plugin is not installed')
    }
}

/** Options of `ssm-backup notify` (null values are left out by toEnv). */
@NonCPS
Map renderOptions(Map config, boolean hasSummary, String workspace, String buildUrl, String jobName, String buildNumber, long durationSec) {
    return [kind: config.kind, summaryFile: hasSummary ? workspace + config.summaryFile : null, result: config.result,
            failureMessage: config.failureMessage ?: (hasSummary ? null : 'no summary was written (see the console log)'),
            environment: config.environment, dryRun: config.dryRun, channel: config.slackChannel, buildUrl: buildUrl, jobName: jobName,
            buildNumber: buildNumber, durationSec: durationSec, runbookUrl: config.runbookUrl,
            summaryUrl: hasSummary && buildUrl ? "${buildUrl}artifact/${config.summaryFile}".toString() : null, outDir: workspace + REPORT_DIR]
}

/**
 * How a region's stage is drawn from its entry in the engine's summary: SKIPPED -> NOT_BUILT, FAILED/TIMED_OUT -> FAILURE,
 * SUCCESS with warnings -> UNSTABLE. An engine that stopped without recording the region fails the stage; runFailure then
 * carries the engine's error for the report (the summary cannot show it).
 */
@NonCPS
Map stageOutcome(String region, Map summary, Map result, boolean notStarted) {
    if (notStarted) {
        return [result: 'NOT_BUILT', message: "${region}: not started, the build was aborted".toString()]
    }
    String status = summary?.status
    if ((result.exitCode != 0 && !(status in ['FAILED', 'TIMED_OUT', 'SKIPPED'])) || status == null) {
        String why = result.error?.message ?: (result.exitCode != 0 ? "engine exited with code ${result.exitCode}" : 'the engine wrote no summary for it')
        String message = "Backup of ${region} failed: ${why}"
        return [result: 'FAILURE', message: message, runFailure: message]
    }
    if (status == 'SKIPPED') {
        return [result: 'NOT_BUILT', message: "${region} SKIPPED: ${summary.failureMessage ?: 'not run'}".toString()]
    }
    if (status == 'SUCCESS') {
        return summary.warnings ? [result: 'UNSTABLE', message: "${region}: ${summary.warnings.join('; ')}".toString()] : [result: 'SUCCESS']
    }
    return [result: 'FAILURE', message: "${region} ${status}: ${summary.failureMessage ?: 'no cause recorded'}".toString()]
}

/** The engine could not render (e.g. no Node.js): a minimal report, so the run is still shown and sent, as a failure. */
@NonCPS
Map unrendered(Map config, String why) {
    String text = "SSM ${config.kind} ${config.environment ?: ''}: FAILURE - the report could not be rendered: ${why}"
    String cause = config.failureMessage ? " (run: ${config.failureMessage})" : ''
    return [result: 'FAILURE', dryRun: config.dryRun, description: "FAILED: report not rendered: ${why}${cause}".toString(), table: '',
            notes: [], slack: [text: text + cause, attachments: []], email: [subject: "${config.dryRun ? '[DRY RUN] ' : ''}[FAIL] SSM ${config.kind} ${config.environment ?: ''}".toString(),
            body: text + cause + '\n']]
}
