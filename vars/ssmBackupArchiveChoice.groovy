import org.ssmbackup.ArchiveChoice
import org.ssmbackup.StepOptions

// The archive ssmMultiRegionRestore restores (see ssmBackupArchiveChoice.txt): with archive: 'choose' a person picks it
// from what `ssm-backup list` returns (ArchiveChoice builds the choice); otherwise the step's own archive.

/** Returns the archive the restore passes the engine: the one picked, or config.archive (`latest` for choose with asOf). */
String call(Map config) {
    if (!ArchiveChoice.asks(config)) {
        return ArchiveChoice.resolved(config)
    }
    String archive = null
    stage('Choose Archive') { archive = asked(config, 'ssm-backup-work/archives.json') }
    return archive
}

/** Lists the archives into `file`, asks which one, returns the key of the archive picked (the one `latest` showed, for latest). */
String asked(Map config, String file) {
    Map listed = ssmBackupEngine(command: 'list', name: 'restore-list', nodejs: config.nodejs, credentialsId: config.credentialsId,
            env: StepOptions.toEnv(ArchiveChoice.listOptions(config, "${pwd()}/${file}")), deadlineMinutes: config.planTimeoutMinutes)
    if (listed.exitCode != 0) {
        error("Could not list the archives of ${config.region}: ${listed.error?.message}")
    }
    Map question = ArchiveChoice.of(readJSON(file: file, returnPojo: true), config.region as String)
    if (question.problem) {
        error(question.problem)
    }
    Object label = timeout(time: config.approvalTimeoutMinutes, unit: 'MINUTES') {
        input(message: question.message, ok: question.ok, parameters: [choice(name: 'ARCHIVE', choices: question.choices, description: question.description)])
    }
    echo("Archive chosen: ${label}")
    return ArchiveChoice.picked(label)
}
