import org.ssmbackup.BackupRun
import org.ssmbackup.StepOptions

// One unit of ssmMultiRegionBackup in a parallel branch, on the node the caller allocated (see ssmBackupBranch.txt),
// and the Finalize side (merge): the engine joins the branches' summary fragments into the one summary file.

/** Fills args.result.engine (the engine's run) and args.result.entry (the unit's entry in its fragment), also when interrupted. */
void call(Map args) {
    Map config = args.config, run = args.run, result = args.result
    String key = args.key
    Map files = BackupRun.unitFiles(run.units, key, true)
    try {
        if (config.agentLabel) {   // a node of its own: no earlier build's files, and the plan of Initialize (else all share one)
            dir(BackupRun.WORK_DIR) { deleteDir() }
            unstash(BackupRun.PLAN_STASH)
        }
        Map handed = fragments(config, run, args.handed, files.summary, 'merge-handed')
        if (handed.exitCode != 0 && handed.error?.category != 'region') {   // exit 1 with category region: a merged unit failed
            error("the fragments of ${args.handed.join(', ')} could not be merged: ${handed.error.message}")
        }
        result.engine = ssmBackupRegions.backup(config, run, key, files)
    } finally {   // even when interrupted: the fragment says what the engine recorded (a killed unit: interrupted)
        if (fileExists(files.fragment)) {
            stash(name: BackupRun.fragmentStash(run.regions, key), includes: files.fragment)
            run.stashed << key
            result.entry = readJSON(file: files.fragment, returnPojo: true)[key]
        }
    }
}

/** Finalize: the stashed fragments, in plan order, merged by the engine into BackupRun.SUMMARY_FILE; a failure's message or null. */
String merge(Map config, Map run) {
    dir(BackupRun.WORK_DIR) { deleteDir() }
    Map merged = fragments(config, run, run.regions.findAll { it in run.stashed }, BackupRun.SUMMARY_FILE, 'merge-summaries')
    return merged.exitCode != 0 && merged.error?.category != 'region' ? "the summary fragments could not be merged: ${merged.error.message}".toString() : null
}

/** Unstashes the fragments of keys and has the engine merge them into summaryFile ([exitCode: 0] for none). */
Map fragments(Map config, Map run, List keys, String summaryFile, String name) {
    if (!keys) {
        return [exitCode: 0]
    }
    List<String> files = []
    for (String key in keys) {
        unstash(BackupRun.fragmentStash(run.regions, key))
        files << "${pwd()}/${BackupRun.fragmentFile(key)}".toString()
    }
    Map options = [fragments: files.join(','), summaryFile: "${pwd()}/${summaryFile}".toString()]
    return ssmBackupEngine(command: 'merge-summaries', name: name, env: StepOptions.toEnv(options), nodejs: config.nodejs,
            deadlineMinutes: config.reportTimeoutMinutes)
}
