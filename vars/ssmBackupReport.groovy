import groovy.transform.Field
import org.ssmbackup.BuildPage
import org.ssmbackup.ReportRequest
import org.ssmbackup.StepOptions

// Shows a run on the build page and sends it (see ssmBackupReport.txt): the engine renders it (`notify --out-dir`).
@Field static final Map DEFAULTS = [kind: 'backup', summaryFile: null, outcomesFile: null, result: null, failureMessage: null,
        environment: null, dryRun: false, slackChannel: null, slackWebhookCredentialsId: null, email: null, emailCc: null,
        runbookUrl: null, nodejs: null, timeoutMinutes: 5, startedBy: null, descriptionFormat: 'text']

/** Returns report.json as a Map: result, description, table, email, slack, ... (see ts/lib/report.ts). */
Map call(Map args) {
    Map config = BuildPage.checked('ssmBackupReport', StepOptions.check('ssmBackupReport', DEFAULTS, args, ['kind', 'summaryFile']))
    if (config.problem) {
        error(config.problem)
    }
    return timeout(time: config.timeoutMinutes + 1, unit: 'MINUTES') { shown(config) }   // the engine's own deadline comes first
}

/** Renders with the engine, shows and sends the report. */
Map shown(Map config) {
    boolean hasSummary = fileExists(config.summaryFile)
    Map build = [url: env.BUILD_URL, jobName: env.JOB_NAME, number: env.BUILD_NUMBER, durationSec: (long) (currentBuild.duration / 1000)]
    boolean backup = config.kind == 'backup'   // a backup's status view (ssmBackupStatus), linked from the description when it exists
    Map links = BuildPage.linkOptions(build.url, backup && fileExists(BuildPage.CHART_FILE), backup && fileExists(BuildPage.PAGE_FILE), config.descriptionFormat)
    List<String> engineEnv = StepOptions.toEnv(ReportRequest.notifyOptions(config, hasSummary, "${pwd()}/", build) + links)
    Map rendered = render(engineEnv, config)
    Map report = rendered.exitCode == 0 ? readJSON(file: "${ReportRequest.REPORT_DIR}/report.json", returnPojo: true) :
            ReportRequest.unrendered(config, rendered.error.message as String)
    currentBuild.description = report.buildDescription ?: report.description
    echo("${report.description}\n${report.table}${report.notes ? '\n' + report.notes.join('\n') : ''}")
    if (hasSummary) {
        archiveArtifacts(artifacts: config.summaryFile, allowEmptyArchive: true)
    }
    if (backup) {
        ssmBackupPublish(rendered: rendered.exitCode == 0, plots: rendered.exitCode == 0 ? report.plots : [])
    }
    ssmBackupNotify(report: report, engineEnv: rendered.exitCode == 0 ? engineEnv : [], slackChannel: config.slackChannel,
            slackWebhookCredentialsId: config.slackWebhookCredentialsId, email: config.email, emailCc: config.emailCc,
            nodejs: config.nodejs, timeoutMinutes: config.timeoutMinutes)
    return report
}

/** Runs `ssm-backup notify --out-dir`; an engine that cannot run (no Node.js) is returned as a failed render, not thrown. */
Map render(List<String> engineEnv, Map config) {
    try {
        return ssmBackupEngine(command: 'notify', name: "report-${config.kind}", env: engineEnv, nodejs: config.nodejs,
                deadlineMinutes: config.timeoutMinutes)
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        return [exitCode: -1, error: [message: problem.message]]
    }
}
