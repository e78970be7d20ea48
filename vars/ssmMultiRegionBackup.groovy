import groovy.transform.Field
import org.ssmbackup.BackupRun
import org.ssmbackup.BuildPage
import org.ssmbackup.RegionOutcome
import org.ssmbackup.ReportRequest
import org.ssmbackup.StepOptions

// Backs up SSM Parameter Store from every configured region (of every member account), one stage per unit (see
// ssmMultiRegionBackup.txt): Initialize (the engine's plan), the unit stages (ssmBackupRegions), Finalize Report.
@Field static final Map DEFAULTS = [environment: null, dryRun: false, ssmHomeRegion: null, regions: null, path: null,
        includeTags: true, includeLabels: false, maxShrink: 10, allowShrink: false, allowEmpty: false, requireClientEncryption: false, requireGuard: false,
        failFast: true, parallel: 'false', agentLabel: null, regionTimeoutMinutes: 10, initializeTimeoutMinutes: 10, reportTimeoutMinutes: 10,
        credentialsId: null, slackChannel: null, slackWebhookCredentialsId: null, email: null, emailCc: null, runbookUrl: null, nodejs: null,
        statusChart: true, statusTimeoutMinutes: 3, descriptionFormat: 'text']

Map call(Map options = [:]) {
    Map config = BuildPage.checked('ssmMultiRegionBackup', StepOptions.check('ssmMultiRegionBackup', DEFAULTS, options))
    if (config.problem || BackupRun.parallelism(config.parallel) == null) {
        error(config.problem ?: "ssmMultiRegionBackup: option 'parallel' must be true, false or a number of branches (1 or more), got '${config.parallel}'")
    }
    Map run = [regions: [], units: [:], outcomes: [:], stashed: [], failure: null, aborted: null, thrown: null, result: null, report: [:], summaries: [:]]
    String perStage = BackupRun.spread(config) ? config.agentLabel : null   // spread: Initialize, each unit and Finalize on a node of their own
    ssmBackupEngine.onAgent(perStage ? null : config.agentLabel) {
        try {
            stage('Initialize') { ssmBackupEngine.onAgent(perStage) { timeout(time: config.initializeTimeoutMinutes, unit: 'MINUTES') { run.units = ssmBackupPlan(config: config) } } }
            run.regions = run.units.keys
            timeout(time: BackupRun.allRegionsMinutes(config, run.regions.size()), unit: 'MINUTES') {
                ssmBackupRegions(config: config, run: run)
            }
        } catch (Throwable thrown) {   // an abort (InterruptedException), or a failure outside the regions' own stages
            run.aborted = run.aborted ?: (thrown instanceof InterruptedException ? thrown : null)
            run.thrown = thrown
        } finally {
            stage('Finalize Report') { ssmBackupEngine.onAgent(perStage) { finalizeReport(config, run) } }   // under reportTimeoutMinutes
        }
    }
    if (run.aborted || run.thrown) {
        throw run.aborted ?: run.thrown
    }
    if (run.result == 'FAILURE') {
        error(run.report.description)
    }
    return run.summaries
}

/** The build's result by RegionOutcome.buildResult; the engine renders the report from the summary and the outcomes it lacks. */
void finalizeReport(Map config, Map run) {
    String unmerged = BackupRun.spread(config) ? ssmBackupBranch.merge(config, run) : null
    run.summaries = fileExists(BackupRun.SUMMARY_FILE) ? readJSON(file: BackupRun.SUMMARY_FILE, returnPojo: true) : [:]
    env.REGION_SUMMARY_PATH = "${pwd()}/${BackupRun.SUMMARY_FILE}"
    run.failure = unmerged ?: (run.thrown && !run.aborted ? run.thrown.message : null)
    run.outcomes = RegionOutcome.completed(run.regions, run.outcomes, run.aborted != null, run.failure)
    Map result = RegionOutcome.buildResult(run.regions, run.outcomes)
    run.result = run.aborted ? 'ABORTED' : (run.failure ? 'FAILURE' : result.result)
    writeJSON(file: BackupRun.OUTCOMES_FILE, json: RegionOutcome.reportEntries(run.regions, run.outcomes))
    ssmBackupStatus(config: config, units: run.aborted ? [:] : run.units)   // before the report, which links what it wrote
    run.report = ssmBackupReport(ReportRequest.fromStep(config, [kind: 'backup', summaryFile: BackupRun.SUMMARY_FILE, result: run.result,
            outcomesFile: BackupRun.OUTCOMES_FILE, failureMessage: run.failure ?: (run.regions || run.aborted ? null : result.cause)]))
}
