import groovy.transform.Field
import org.ssmbackup.ReportRequest
import org.ssmbackup.RestorePlan
import org.ssmbackup.StepOptions

// Restores SSM parameters from a backup archive: plan, approval, apply (see ssmMultiRegionRestore.txt); applies only writeCount > 0.
@Field static final Map DEFAULTS = [environment: null, region: null, archive: 'latest', targetRegion: null, path: null, names: null,
        overwrite: false, exactTags: false, prune: false, asOf: null, allowUnencryptedArchive: null, kmsKeyMap: null, dryRun: true, autoApprove: false, approvers: null,
        approvalTimeoutMinutes: 60, planTimeoutMinutes: 30, applyTimeoutMinutes: 120, reportTimeoutMinutes: 10, putRate: 3,
        ssmHomeRegion: null, account: null, targetAccount: null, agentLabel: null, credentialsId: null, slackChannel: null, slackWebhookCredentialsId: null, email: null,
        emailCc: null, runbookUrl: null, nodejs: null]
@Field static final String SUMMARY_FILE = 'ssm-backup-work/restore_summary.json'

Map call(Map options = [:]) {
    Map config = RestorePlan.config(StepOptions.check('ssmMultiRegionRestore', DEFAULTS, options, ['environment', 'region']),
            currentBuild.getBuildCauses())
    if (config.problem) {
        error(config.problem)
    }
    Map summary = [:]
    ssmBackupEngine.onAgent(config.agentLabel) {
        try {
            dir('ssm-backup-work') { deleteDir() }   // no summary of an earlier build
            config.archive = ssmBackupArchiveChoice(config)
            stage('Restore Plan') { summary = restore(config, false) }
            echo(RestorePlan.text(summary, SUMMARY_FILE))
            ssmBackupReport(ReportRequest.fromStep(config, [kind: 'restore', summaryFile: SUMMARY_FILE]))
            if (!config.dryRun && RestorePlan.writes(summary).writes > 0) {
                if (!config.autoApprove) {
                    stage('Approval') { timeout(time: config.approvalTimeoutMinutes, unit: 'MINUTES') { input(RestorePlan.approval(summary, config.approvers)) } }
                }
                stage('Restore Apply') { summary = restore(RestorePlan.applyConfig(config, summary), true) }   // the archive planned
                ssmBackupReport(ReportRequest.fromStep(config, [kind: 'restore', summaryFile: SUMMARY_FILE]))
            }
        } catch (Throwable failure) {
            String result = failure instanceof InterruptedException ? 'ABORTED' : 'FAILURE'
            ssmBackupReport(ReportRequest.fromStep(config, [kind: 'restore', summaryFile: SUMMARY_FILE, result: result, failureMessage: failure.message]))
            throw failure
        }
    }
    return summary
}

/** `ssm-backup restore` (--apply when apply), killed on the agent at its deadline; fails as RestorePlan.failure says. */
Map restore(Map config, boolean apply) {
    int minutes = apply ? config.applyTimeoutMinutes : config.planTimeoutMinutes
    Map result = [:]
    timeout(time: minutes + 1, unit: 'MINUTES') {   // a backstop: the agent-side deadline stops the engine first
        result = ssmBackupEngine(command: 'restore', name: apply ? 'restore-apply' : 'restore-plan', nodejs: config.nodejs,
                env: StepOptions.toEnv(RestorePlan.engineOptions(config, "${pwd()}/${SUMMARY_FILE}", apply)),
                credentialsId: config.credentialsId, deadlineMinutes: minutes)
    }
    Map summary = fileExists(SUMMARY_FILE) ? readJSON(file: SUMMARY_FILE, returnPojo: true) : [:]
    Map failure = RestorePlan.failure(result, summary, apply, minutes)
    if (failure) {
        echo(failure.lines)
        error(failure.message)
    }
    return summary
}
