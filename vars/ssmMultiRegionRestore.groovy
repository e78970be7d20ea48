import com.cloudbees.groovy.cps.NonCPS
import groovy.transform.Field

// Restores SSM parameters from a backup archive: plan, show it, wait for approval, apply (see ssmMultiRegionRestore.txt).
// Stages and approval only: the engine (ssmBackupEngine) does all AWS work and deletes a parameter only with prune, and renders the
// notifications sent after the plan and after the apply (ssmBackupReport).
@Field static final Map DEFAULTS = [environment: null, region: null, archive: 'latest', targetRegion: null, path: null, names: null,
        overwrite: false, exactTags: false, prune: false, asOf: null, allowUnencryptedArchive: null, kmsKeyMap: null, dryRun: true, autoApprove: false, approvers: null, approvalTimeoutMinutes: 60,
        putRate: 3, ssmHomeRegion: null, agentLabel: null, credentialsId: null, slackChannel: null, slackWebhookCredentialsId: null,
        email: null, runbookUrl: null, nodejs: null]
@Field static final String SUMMARY_FILE = 'ssm-backup-work/restore_summary.json'
@Field static final int SHOWN = 200

Map call(Map options = [:]) {
    Map config = ssmBackupEngine.options('ssmMultiRegionRestore', DEFAULTS, options, ['environment', 'region'])
    if (config.problem) {
        error(config.problem)
    }
    Map summary = [:]
    ssmBackupEngine.onAgent(config.agentLabel) {
        try {
            dir('ssm-backup-work') { deleteDir() }   // no summary of an earlier build
            stage('Restore Plan') { summary = restore(config, false) }
            echo(planText(summary))
            report(config, null, null)
            if (config.dryRun || !writes(summary)) {
                return
            }
            if (!config.autoApprove) {
                stage('Approval') {
                    timeout(time: config.approvalTimeoutMinutes, unit: 'MINUTES') { input(approval(config, summary)) }
                }
            }
            stage('Restore Apply') { summary = restore(config, true) }
            report(config, null, null)
        } catch (InterruptedException aborted) {
            report(config, 'ABORTED', null)
            throw aborted
        } catch (Throwable failure) {
            report(config, 'FAILURE', failure.message)
            throw failure
        }
    }
    return summary
}

/** Build description, console summary and notifications, rendered by the engine from restore_summary.json. */
void report(Map config, String result, String failureMessage) {
    ssmBackupReport(kind: 'restore', summaryFile: SUMMARY_FILE, result: result, failureMessage: failureMessage, environment: config.environment,
            dryRun: config.dryRun, slackChannel: config.slackChannel, slackWebhookCredentialsId: config.slackWebhookCredentialsId,
            email: config.email, runbookUrl: config.runbookUrl, nodejs: config.nodejs)
}

Map restore(Map config, boolean apply) {
    String summaryFile = "${pwd()}/${SUMMARY_FILE}"
    Map options = [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, region: config.region, archive: config.archive,
            targetRegion: config.targetRegion, path: config.path, names: config.names, overwrite: config.overwrite, kmsKeyMap: config.kmsKeyMap,
            exactTags: config.exactTags, prune: config.prune, asOf: config.asOf, allowUnencryptedArchive: config.allowUnencryptedArchive,
            putRate: config.putRate, summaryFile: summaryFile, apply: apply]
    Map result = ssmBackupEngine(command: 'restore', name: apply ? 'restore-apply' : 'restore-plan', env: ssmBackupEngine.toEnv(options),
            credentialsId: config.credentialsId, nodejs: config.nodejs)
    Map summary = fileExists(SUMMARY_FILE) ? readJSON(file: SUMMARY_FILE, returnPojo: true) : [:]
    if (result.exitCode != 0) {
        for (Map failed in (summary.failed ?: [])) {
            echo("FAILED ${failed.name}: ${failed.error}")
        }
        String hint = summary.failed ? ' (run the job again to finish the rest)' : ''
        error("Restore ${apply ? 'apply' : 'plan'} failed: ${result.error.message}${hint}")
    }
    return summary
}

@NonCPS
Map approval(Map config, Map summary) {
    Map spec = [message: "Restore into ${summary.targetRegion}: ${counts(summary)}?".toString(), ok: 'Restore']
    return config.approvers ? spec + [submitter: config.approvers] : spec
}

@NonCPS
boolean writes(Map summary) {
    return (summary.planned?.create ?: []).size() + (summary.planned?.update ?: []).size() > 0
}

@NonCPS
String counts(Map summary) {
    Map c = summary.counts ?: [:]
    return "create=${c.create ?: 0} update=${c.update ?: 0} unchanged=${c.unchanged ?: 0} differs-not-overwritten=${c.differs ?: 0}"
}

@NonCPS
String planText(Map summary) {
    Map planned = summary.planned ?: [:]
    List<String> lines = ["Restore plan: ${summary.archive?.key} (${summary.archive?.verified ? 'verified' : 'UNVERIFIED legacy backup.json'}) " +
            "from ${summary.sourceRegion} into ${summary.targetRegion}: ${counts(summary)}"]
    lines += (planned.create ?: []).collect { "  create  ${it}" }
    lines += (planned.update ?: []).collect { "  update  ${it}  ${planned.differs[it]}" }
    lines += (planned.differs ?: [:]).findAll { !(it.key in (planned.update ?: [])) }.collect { "  skip    ${it.key}  ${it.value} (differs; overwrite updates it)" }
    int more = lines.size() - SHOWN - 1
    return (more > 0 ? lines.take(SHOWN + 1) + ["  ... and ${more} more (see ${SUMMARY_FILE})"] : lines).join('\n')
}
