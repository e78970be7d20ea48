import org.ssmbackup.BackupRun
import org.ssmbackup.RegionOutcome
import org.ssmbackup.StepOptions

// The region stages of ssmMultiRegionBackup (see ssmBackupRegions.txt), drawn by the one result rule (RegionOutcome).

void call(Map args) {
    Map config = args.config, run = args.run
    Map branches = [failFast: false]   // every region runs in parallel (BackupRun.regionOptions): never decided by timing
    for (String region in run.regions) {
        String branchRegion = region
        if (config.parallel) {
            branches[branchRegion] = { regionStage(config, run, branchRegion) }
        } else {
            regionStage(config, run, branchRegion)
        }
    }
    config.parallel ? parallel(branches) : null
}

/** One stage per region in every build: the engine's run (unless the build was aborted), then its outcome on the stage. */
void regionStage(Map config, Map run, String region) {
    stage("Backup ${region}") {
        Map engine = null
        if (run.aborted == null) {
            try {
                engine = [exitCode: null]
                engine = backup(config, region)
            } catch (InterruptedException interruption) {   // a user abort or Jenkins' timeout: the build stops
                run.aborted = run.aborted ?: interruption
            } catch (Throwable failure) {   // the engine could not be run (e.g. a credential): this region FAILED
                engine = [exitCode: null, error: [message: "the engine could not be run: ${failure.message}".toString()]]
            }
        }
        Map summaries = fileExists(BackupRun.SUMMARY_FILE) ? readJSON(file: BackupRun.SUMMARY_FILE, returnPojo: true) : [:]
        Map outcome = RegionOutcome.of(region, summaries[region], engine, run.aborted != null, config.dryRun)
        run.outcomes[region] = outcome
        if (outcome.stageResult == 'UNSTABLE') {
            unstable(outcome.message)
        } else if (outcome.stageResult != 'SUCCESS') {
            catchError(buildResult: outcome.stageResult == 'NOT_BUILT' ? 'SUCCESS' : outcome.stageResult, stageResult: outcome.stageResult) {
                error(outcome.message)
            }
        }
    }
}

/** The engine for one region, killed on the agent at BackupRun.regionDeadlineMinutes (exit 124: TIMED_OUT, the next region runs). */
Map backup(Map config, String region) {
    String work = "${pwd()}/${BackupRun.WORK_DIR}"
    int deadline = BackupRun.regionDeadlineMinutes(config)
    Map result = [:]
    timeout(time: deadline + 1, unit: 'MINUTES') {   // a last backstop (stuck agent); it aborts the build
        withEnv(["TARGET_REGION=${region}", "AWS_REGION=${region}", "REGION_DATA_DIR=${work}/${region}"]) {
            result = ssmBackupEngine(command: 'backup', name: "backup-${region}", env: StepOptions.toEnv(BackupRun.regionOptions(config, region, pwd())),
                    credentialsId: config.credentialsId, nodejs: config.nodejs, deadlineMinutes: deadline)
        }
    }
    return result
}
