import groovy.transform.Field

// Backs up SSM Parameter Store from every configured region, one stage per region (see ssmMultiRegionBackup.txt).
// The engine plans once, backs up each region into the one summary file it owns (ordering, fail-fast and skipping are
// its decisions) and renders the report; this step draws stages from that file and never writes it.
@Field static final Map DEFAULTS = [environment: null, dryRun: false, ssmHomeRegion: null, regions: null, path: null,
        includeTags: true, includeLabels: false, maxShrink: 10, allowShrink: false, allowEmpty: false, requireClientEncryption: false, requireGuard: false,
        failFast: true, parallel: false, agentLabel: null, regionTimeoutMinutes: 10, credentialsId: null,
        slackChannel: null, slackWebhookCredentialsId: null, email: null, runbookUrl: null, nodejs: null]
@Field static final String WORK_DIR = 'ssm-backup-work'
@Field static final String PLAN_FILE = 'ssm-backup-work/plan.json'
@Field static final String SUMMARY_FILE = 'ssm-backup-work/region_summaries.json'
/** Jenkins' own per-region timeout only backs up the engine's deadline (--region-timeout), which writes TIMED_OUT. */
@Field static final int GRACE_MINUTES = 2

Map call(Map options = [:]) {
    Map config = ssmBackupEngine.options('ssmMultiRegionBackup', DEFAULTS, options)
    if (config.problem) {
        error(config.problem)
    }
    Map run = [regions: [], result: null, failure: null, interrupted: null, report: [:], summaries: [:]]
    ssmBackupEngine.onAgent(config.agentLabel) {
        try {
            stage('Initialize') {
                timeout(time: config.regionTimeoutMinutes, unit: 'MINUTES') { initialize(config, run) }
            }
            timeout(time: run.regions.size() * (config.regionTimeoutMinutes + GRACE_MINUTES) + 30, unit: 'MINUTES') {
                config.parallel ? parallel(branches(config, run)) : inTurn(config, run)
            }
            if (run.interrupted) {
                throw run.interrupted
            }
        } catch (InterruptedException aborted) {
            run.result = 'ABORTED'
            throw aborted
        } catch (Throwable failure) {
            run.failure = run.failure ?: failure.message
            throw failure
        } finally {
            stage('Finalize Report') { finalizeReport(config, run) }
        }
    }
    if (run.report.result == 'FAILURE') {
        error(run.report.description)
    }
    return run.summaries
}

void initialize(Map config, Map run) {
    dir(WORK_DIR) { deleteDir() }   // no summary of an earlier build: the engine creates this build's
    Map options = [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, regions: config.regions, outputFile: "${pwd()}/${PLAN_FILE}"]
    Map result = ssmBackupEngine(command: 'plan', env: ssmBackupEngine.toEnv(options), credentialsId: config.credentialsId, nodejs: config.nodejs)
    if (result.exitCode != 0) {
        run.failure = "Initialize failed: ${result.error.message}".toString()
        error(run.failure)
    }
    Map plan = readJSON(file: PLAN_FILE, returnPojo: true)
    run.regions = plan.regions ?: []
    env.REGION_LIST = run.regions.join(',')
    for (String warning in (plan.warnings ?: [])) {
        echo("WARNING: ${warning}")
    }
}

void inTurn(Map config, Map run) {
    for (String region in run.regions) {
        regionStage(config, run, region)
    }
}

Map branches(Map config, Map run) {
    Map branches = [failFast: false]   // a failed region fails its own stage; the engine skips regions not yet started
    for (String region in run.regions) {
        String branchRegion = region
        branches[branchRegion] = { regionStage(config, run, branchRegion) }
    }
    return branches
}

/** One stage per region in every build; after an abort the remaining regions' stages are marked not built. */
void regionStage(Map config, Map run, String region) {
    try {
        stage("Backup ${region}") {
            Map result = run.interrupted ? [exitCode: 0, error: null] : backupRegion(config, region)
            Map summaries = fileExists(SUMMARY_FILE) ? readJSON(file: SUMMARY_FILE, returnPojo: true) : [:]
            Map outcome = ssmBackupReport.stageOutcome(region, summaries[region], result, run.interrupted != null)
            run.failure = run.failure ?: outcome.runFailure
            if (outcome.result == 'UNSTABLE') {
                unstable(outcome.message)
            } else if (outcome.result != 'SUCCESS') {
                catchError(buildResult: outcome.result == 'FAILURE' ? 'FAILURE' : 'SUCCESS', stageResult: outcome.result) { error(outcome.message) }
            }
        }
    } catch (InterruptedException aborted) {
        run.interrupted = run.interrupted ?: aborted
    }
}

Map backupRegion(Map config, String region) {
    String work = "${pwd()}/${WORK_DIR}"
    Map options = [planFile: "${pwd()}/${PLAN_FILE}", regions: region, summaryFile: "${pwd()}/${SUMMARY_FILE}", workDir: work,
            failFast: config.failFast, regionTimeout: config.regionTimeoutMinutes * 60, dryRun: config.dryRun,
            includeTags: config.includeTags, includeLabels: config.includeLabels, path: config.path, maxShrink: config.maxShrink,
            allowShrink: config.allowShrink, allowEmpty: config.allowEmpty, requireClientEncryption: config.requireClientEncryption,
            requireGuard: config.requireGuard]
    Map result = [:]
    timeout(time: config.regionTimeoutMinutes + GRACE_MINUTES, unit: 'MINUTES') {
        withEnv(["TARGET_REGION=${region}", "AWS_REGION=${region}", "REGION_DATA_DIR=${work}/${region}"]) {
            result = ssmBackupEngine(command: 'backup', name: "backup-${region}", env: ssmBackupEngine.toEnv(options),
                    credentialsId: config.credentialsId, nodejs: config.nodejs)
        }
    }
    return result
}

void finalizeReport(Map config, Map run) {
    run.summaries = fileExists(SUMMARY_FILE) ? readJSON(file: SUMMARY_FILE, returnPojo: true) : [:]
    env.REGION_SUMMARY_PATH = "${pwd()}/${SUMMARY_FILE}"
    run.report = ssmBackupReport(kind: 'backup', summaryFile: SUMMARY_FILE, result: run.result, failureMessage: run.failure,
            environment: config.environment, dryRun: config.dryRun, slackChannel: config.slackChannel,
            slackWebhookCredentialsId: config.slackWebhookCredentialsId, email: config.email, runbookUrl: config.runbookUrl, nodejs: config.nodejs)
}
