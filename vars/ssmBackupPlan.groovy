import org.ssmbackup.BackupRun
import org.ssmbackup.StepOptions

// The Initialize stage of ssmMultiRegionBackup (see ssmBackupPlan.txt): the engine's plan, read once per build.

/**
 * Returns the planned units (BackupRun.units: keys in order, stage names); a configuration error fails with
 * `Initialize failed: <engine message>`. A multi-account plan in which an account failed (exit 1) still gives every
 * unit: the failed account's units fail in their own stages with the AWS cause. Spread runs stash the plan.
 */
Map call(Map args) {
    Map config = args.config
    dir(BackupRun.WORK_DIR) { deleteDir() }   // no summary of an earlier build: the engine creates this build's
    Map result = ssmBackupEngine(command: 'plan', env: StepOptions.toEnv(BackupRun.planOptions(config, pwd())),
            credentialsId: config.credentialsId, nodejs: config.nodejs, deadlineMinutes: config.initializeTimeoutMinutes)
    Map plan = result.exitCode in [0, 1] && fileExists(BackupRun.PLAN_FILE) ? readJSON(file: BackupRun.PLAN_FILE, returnPojo: true) : [:]
    if (result.exitCode != 0 && !(result.exitCode == 1 && plan.accounts)) {
        error("Initialize failed: ${result.error.message}")
    }
    Map units = BackupRun.units(plan)
    env.REGION_LIST = units.keys.join(',')
    for (String warning in (plan.warnings ?: [])) {
        echo("WARNING: ${warning}")
    }
    for (Map account in (plan.accounts ?: [])) {
        if (account.failure) {
            echo("WARNING: account ${account.accountId}: ${account.failure} (its units fail)")
        }
    }
    if (BackupRun.spread(config)) {
        stash(name: BackupRun.PLAN_STASH, includes: BackupRun.PLAN_FILE)
    }
    return units
}
