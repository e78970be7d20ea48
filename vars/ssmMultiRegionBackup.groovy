import com.cloudbees.groovy.cps.NonCPS
import groovy.transform.Field

// Backs up SSM Parameter Store from every configured region, one stage per region (see ssmMultiRegionBackup.txt).
// Stages and reporting only: the engine (ssmBackupEngine) does all AWS work.
@Field static final Map DEFAULTS = [environment: null, dryRun: false, ssmHomeRegion: null, regions: null, path: null,
        includeTags: true, failFast: true, parallel: false, agentLabel: null, regionTimeoutMinutes: 10, credentialsId: null,
        slackWebhookCredentialsId: null, slackChannel: null, email: null, nodejs: null]
@Field static final String WORK_DIR = 'ssm-backup-work'
@Field static final String SUMMARY_FILE = 'ssm-backup-work/region_summaries.json'

Map call(Map options = [:]) {
    Map config = ssmBackupEngine.options('ssmMultiRegionBackup', DEFAULTS, options)
    if (config.problem) {
        error(config.problem)
    }
    Map run = [regions: [], summaries: [:], result: 'SUCCESS', failedRegion: null, failureMessage: null]
    ssmBackupEngine.onAgent(config.agentLabel) {
        try {
            stage('Initialize') {
                timeout(time: config.regionTimeoutMinutes, unit: 'MINUTES') { initialize(config, run) }
            }
            timeout(time: run.regions.size() * config.regionTimeoutMinutes + 30, unit: 'MINUTES') {
                config.parallel ? backupInParallel(config, run) : backupInTurn(config, run)
            }
            List failed = failedRegions(run.summaries)
            if (failed) {
                error("SSM backup failed in ${failed.size()} region(s): ${failed.join(', ')}")
            }
        } catch (InterruptedException aborted) {
            run.result = 'ABORTED'
            throw aborted
        } catch (Throwable failure) {
            run.result = 'FAILURE'
            run.failureMessage = run.failureMessage ?: failure.message
            throw failure
        } finally {
            stage('Finalize Report') { finalizeReport(config, run) }
        }
    }
    return run.summaries
}

void initialize(Map config, Map run) {
    String planFile = "${pwd()}/${WORK_DIR}/plan.json"
    writeFile(file: planFile, text: '{}')   // creates the work dir; the engine overwrites it
    Map options = [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, regions: config.regions, outputFile: planFile]
    Map result = ssmBackupEngine(command: 'plan', env: ssmBackupEngine.toEnv(options), credentialsId: config.credentialsId, nodejs: config.nodejs)
    if (result.exitCode != 0) {
        error("Initialize failed: ${result.error.message}")
    }
    Map plan = readJSON(file: planFile, returnPojo: true)
    run.regions = plan.regions ?: []
    run.homeRegion = plan.homeRegion
    if (!run.regions) {
        error('No regions configured')
    }
    currentBuild.description = "Regions=${run.regions}, Default=${plan.defaultRegion}"
    env.REGION_LIST = run.regions.join(',')
    for (String warning in (plan.warnings ?: [])) {
        echo("WARNING: ${warning}")
    }
}

void backupInTurn(Map config, Map run) {
    for (String region in run.regions) {
        backupRegion(config, run, region)
    }
}

void backupInParallel(Map config, Map run) {
    Map branches = [failFast: config.failFast]
    for (String region in run.regions) {
        String branchRegion = region
        branches[branchRegion] = { ssmBackupEngine.onAgent(config.agentLabel) { backupRegion(config, run, branchRegion) } }
    }
    parallel(branches)
}

void backupRegion(Map config, Map run, String region) {
    stage("Backup ${region}") {
        timeout(time: config.regionTimeoutMinutes, unit: 'MINUTES') {
            String dataDir = "${pwd()}/${WORK_DIR}/${region}"
            String summaryFile = "${pwd()}/${WORK_DIR}/summary-${region}.json"
            writeFile(file: summaryFile, text: '{}')
            Map options = [environment: config.environment, ssmHomeRegion: run.homeRegion ?: config.ssmHomeRegion, regions: region,
                    workDir: "${pwd()}/${WORK_DIR}", summaryFile: summaryFile, dryRun: config.dryRun, includeTags: config.includeTags, path: config.path]
            Map result = [:]
            withEnv(["TARGET_REGION=${region}", "AWS_REGION=${region}", "REGION_DATA_DIR=${dataDir}"]) {
                result = ssmBackupEngine(command: 'backup', name: "backup-${region}", env: ssmBackupEngine.toEnv(options),
                        credentialsId: config.credentialsId, nodejs: config.nodejs)
            }
            Map summary = regionSummary(readJSON(file: summaryFile, returnPojo: true)[region], result)
            run.summaries[region] = summary
            if (summary.status == 'FAILED') {
                run.failedRegion = run.failedRegion ?: region
                run.failureMessage = run.failureMessage ?: summary.failureMessage
                String message = "Backup of ${region} failed: ${summary.failureMessage}"
                if (config.failFast) {
                    error(message)
                }
                catchError(buildResult: 'FAILURE', stageResult: 'FAILURE') { error(message) }
            }
        }
    }
}

void finalizeReport(Map config, Map run) {
    run.summaries = withNotRun(run.regions, run.summaries)
    writeJSON(file: SUMMARY_FILE, json: run.summaries, pretty: 2)
    archiveArtifacts(artifacts: SUMMARY_FILE, allowEmptyArchive: false)
    env.REGION_SUMMARY_PATH = "${pwd()}/${SUMMARY_FILE}"
    ssmBackupNotify(result: run.result, environment: config.environment, dryRun: config.dryRun, summaries: run.summaries,
            summaryFile: env.REGION_SUMMARY_PATH, failedRegion: run.failedRegion, failureMessage: run.failureMessage,
            slackWebhookCredentialsId: config.slackWebhookCredentialsId, slackChannel: config.slackChannel,
            email: config.email, nodejs: config.nodejs)
}

@NonCPS
Map regionSummary(Map fromEngine, Map result) {
    Map engine = fromEngine ?: [:]
    String status = engine.status ?: (result.exitCode == 0 ? 'SUCCESS' : 'FAILED')
    status = result.exitCode != 0 && status == 'SUCCESS' ? 'FAILED' : status
    String message = engine.failureMessage ?: (status == 'FAILED' ? (result.error?.message ?: "engine exited with code ${result.exitCode}") : null)
    Map summary = [status: status, parameterCount: engine.parameterCount ?: 0, artifactPath: engine.artifactPath, failureMessage: message]
    return engine.executionTimeSec == null ? summary : summary + [executionTimeSec: engine.executionTimeSec]
}

@NonCPS
List failedRegions(Map summaries) {
    return summaries.findAll { it.value.status == 'FAILED' }*.key
}

@NonCPS
Map withNotRun(List regions, Map summaries) {
    Map all = [:]
    all.putAll(summaries)
    regions.findAll { !all.containsKey(it) }.each { all[it] = [status: 'SKIPPED', parameterCount: 0, failureMessage: 'not run'] }
    return all
}
