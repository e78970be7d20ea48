import org.ssmbackup.BackupRun
import org.ssmbackup.StepOptions

// The Initialize stage of ssmMultiRegionBackup (see ssmBackupPlan.txt): the engine's plan, read once per build.

/** Returns the planned regions, in order; a configuration error fails with `Initialize failed: <engine message>`. */
List<String> call(Map args) {
    Map config = args.config
    dir(BackupRun.WORK_DIR) { deleteDir() }   // no summary of an earlier build: the engine creates this build's
    Map result = ssmBackupEngine(command: 'plan', env: StepOptions.toEnv(BackupRun.planOptions(config, pwd())),
            credentialsId: config.credentialsId, nodejs: config.nodejs, deadlineMinutes: config.initializeTimeoutMinutes)
    if (result.exitCode != 0) {
        error("Initialize failed: ${result.error.message}")
    }
    Map plan = readJSON(file: BackupRun.PLAN_FILE, returnPojo: true)
    List<String> regions = plan.regions ?: []
    env.REGION_LIST = regions.join(',')
    for (String warning in (plan.warnings ?: [])) {
        echo("WARNING: ${warning}")
    }
    return regions
}
