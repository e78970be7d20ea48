import org.ssmbackup.BackupRun
import org.ssmbackup.RegionOutcome
import org.ssmbackup.StepOptions

// The unit stages of ssmMultiRegionBackup (see ssmBackupRegions.txt), drawn by the one result rule (RegionOutcome).

void call(Map args) {
    Map config = args.config, run = args.run
    if (BackupRun.spread(config)) {
        List<String> queue = [] + run.regions
        Map branches = [failFast: false]   // a free branch takes the next unit; the engine decides fail-fast (BackupRun.handed)
        for (int slot = 1; slot <= BackupRun.slots(config, queue.size()); slot++) {
            branches["units ${slot}".toString()] = { while (queue) { unitStage(config, run, queue.remove(0), BackupRun.handed(config, run.outcomes)) } }
        }
        parallel(branches)
    } else {
        run.regions.each { String key -> unitStage(config, run, key, null) }
    }
}

/** One stage per unit in every build: the engine's run (unless the build was aborted), then its outcome on the stage. */
void unitStage(Map config, Map run, String key, List<String> handed) {
    stage(run.units.stages[key]) {
        Map done = [engine: run.aborted == null ? [exitCode: null] : null, entry: null]   // engine null: not started
        if (run.aborted == null) {
            try {
                if (handed == null) {
                    done.engine = backup(config, run, key, BackupRun.unitFiles(run.units, key, false))
                } else {
                    ssmBackupEngine.onAgent(config.agentLabel) { ssmBackupBranch(config: config, run: run, key: key, handed: handed, result: done) }
                }
            } catch (InterruptedException interruption) {   // a user abort or Jenkins' timeout: the build stops
                run.aborted = run.aborted ?: interruption
            } catch (Throwable failure) {   // the engine could not be run (e.g. a credential): this unit FAILED
                done.engine = [exitCode: null, error: [message: "the engine could not be run: ${failure.message}".toString()]]
            }
        }
        Map entry = handed != null ? done.entry : (fileExists(BackupRun.SUMMARY_FILE) ? readJSON(file: BackupRun.SUMMARY_FILE, returnPojo: true)[key] : null)
        Map outcome = run.outcomes[key] = RegionOutcome.of(key, entry, done.engine, run.aborted != null, config.dryRun)
        if (outcome.stageResult == 'UNSTABLE') {
            unstable(outcome.message)
        } else if (outcome.stageResult != 'SUCCESS') {
            catchError(buildResult: outcome.stageResult == 'NOT_BUILT' ? 'SUCCESS' : outcome.stageResult, stageResult: outcome.stageResult) {
                error(outcome.message)
            }
        }
    }
}

/** The engine for one unit, killed on the agent at BackupRun.regionDeadlineMinutes (exit 124: TIMED_OUT, the next unit runs). */
Map backup(Map config, Map run, String key, Map files) {
    Map options = BackupRun.unitOptions(config, run.units, key, pwd(), files)
    return timeout(time: BackupRun.regionDeadlineMinutes(config) + 1, unit: 'MINUTES') {   // a last backstop (stuck agent); it aborts the build
        withEnv(["TARGET_REGION=${options.regions}", "AWS_REGION=${options.regions}", "REGION_DATA_DIR=${pwd()}/${BackupRun.WORK_DIR}/${key}"]) {
            ssmBackupEngine(command: 'backup', name: "backup-${key.replace('/', '-')}", env: StepOptions.toEnv(options),
                    credentialsId: config.credentialsId, nodejs: config.nodejs, deadlineMinutes: BackupRun.regionDeadlineMinutes(config))
        }
    }
}
