package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * What the report steps hand to the engine's `notify` (which renders description, table, Slack and email from the
 * summary file) and to slackSend/emailext. The engine renders; these helpers only shape arguments.
 */
class ReportRequest implements Serializable {
    private static final long serialVersionUID = 1L
    static final String REPORT_DIR = 'ssm-backup-work/report'
    /** Results whose email also goes to the on-call CC (emailCc). */
    static final List<String> CC_RESULTS = ['FAILURE', 'ABORTED']

    /**
     * Options of `ssm-backup notify` (null values are left out by StepOptions.toEnv). build: [url:, jobName:, number:,
     * durationSec:]; hasSummary: the summary file exists; outcomesFile: workspace path of the region outcomes the summary
     * does not show (RegionOutcome.reportEntries), or null.
     */
    @NonCPS
    static Map notifyOptions(Map config, boolean hasSummary, String workspace, Map build) {
        String buildUrl = build.url
        return [kind: config.kind, summaryFile: hasSummary ? workspace + config.summaryFile : null,
                regionOutcomes: config.outcomesFile ? workspace + config.outcomesFile : null, result: config.result,
                failureMessage: config.failureMessage ?: (hasSummary ? null : 'no summary was written (see the console log)'),
                environment: config.environment, dryRun: config.dryRun, channel: config.slackChannel, buildUrl: buildUrl,
                jobName: build.jobName, buildNumber: build.number, durationSec: build.durationSec, runbookUrl: config.runbookUrl,
                summaryUrl: hasSummary && buildUrl ? "${buildUrl}artifact/${config.summaryFile}".toString() : null, startedBy: config.startedBy,
                outDir: workspace + REPORT_DIR]
    }

    /** ssmBackupReport arguments from a backup or restore step's options, plus the run's own (kind, summaryFile, result, ...). */
    @NonCPS
    static Map fromStep(Map config, Map run) {
        Map args = [:]
        for (String key in ['environment', 'dryRun', 'slackChannel', 'slackWebhookCredentialsId', 'email', 'emailCc', 'runbookUrl', 'nodejs', 'startedBy',
                            'descriptionFormat']) {
            args[key] = config[key]
        }
        args.timeoutMinutes = config.reportTimeoutMinutes
        return args + run
    }

    /** The engine could not render (e.g. no Node.js): a minimal FAILURE report naming why, so the run is still shown and sent. */
    @NonCPS
    static Map unrendered(Map config, String why) {
        String env = config.environment ?: ''
        String cause = config.failureMessage ? " (run: ${config.failureMessage})" : ''
        String text = "SSM ${config.kind} ${env}: FAILURE - the report could not be rendered: ${why}${cause}"
        String heading = "${config.dryRun ? '[DRY RUN] ' : ''}[FAIL] SSM ${config.kind} ${env}"
        String subject = heading.replaceAll(/[\r\n]+/, ' ')
        return [result: 'FAILURE', dryRun: config.dryRun, description: "FAILED: report not rendered: ${why}${cause}".toString(), table: '',
                notes: [], slack: [text: text, attachments: []], email: [subject: subject, body: text + '\n']]
    }

    /** slackSend arguments: [message:, attachments:, failOnError: true] plus channel when given (else the plugin's default). */
    @NonCPS
    static Map slackArguments(Map slack, String channel) {
        Map arguments = [message: slack.text, attachments: slack.attachments ?: [], failOnError: true]
        return channel ? arguments + [channel: channel] : arguments
    }

    /**
     * emailext arguments, or null when there is nobody to send to: `to` is `email`, plus `cc:<address>` entries (the
     * Email Extension plugin's recipient syntax) for emailCc when the run FAILED or was ABORTED.
     */
    @NonCPS
    static Map emailArguments(Map report, String email, String emailCc) {
        List<String> to = email ? email.split(',')*.trim().findAll { it } : []
        if (emailCc && report.result in CC_RESULTS) {
            to += emailCc.split(',')*.trim().findAll { it }.collect { "cc:${it}".toString() }
        }
        if (!to) {
            return null
        }
        String subject = report.email.subject.toString().replaceAll(/[\r\n]+/, ' ')
        return [to: to.join(', '), subject: subject, body: report.email.body, mimeType: 'text/plain']
    }
}
