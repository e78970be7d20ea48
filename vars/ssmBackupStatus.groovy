import org.ssmbackup.BuildPage
import org.ssmbackup.StepOptions

// The status view of a backup run for its build page (see ssmBackupStatus.txt): `ssm-backup status` writes the chart
// of the parameter count per region (SVG) and the status page (HTML) into the report folder. Best effort: a region
// that is not OK is one NOTE line, a failure one WARNING line; it never fails the build or changes its result.

/**
 * args: config (ssmMultiRegionBackup's options), units (BackupRun.units of the plan; empty: nothing planned or the build
 * was aborted, then nothing runs). Returns [chart: boolean, page: boolean]: which files exist for the report to link.
 */
Map call(Map args) {
    Map config = args.config
    dir(BuildPage.REPORT_DIR) { deleteDir() }   // never link a view an earlier build left on this agent
    if (!config.statusChart || !args.units?.keys) {
        return [chart: false, page: false]
    }
    Map result = run(config, args.units)
    boolean page = fileExists(BuildPage.PAGE_FILE)
    String line = BuildPage.statusLine(result, page)
    if (line) {
        echo(line)
    }
    return [chart: fileExists(BuildPage.CHART_FILE), page: page]
}

/** ssmBackupEngine's result; an engine that cannot run at all is exit code -1 with the reason, never thrown (an abort is). */
Map run(Map config, Map units) {
    try {
        return ssmBackupEngine(command: 'status', name: 'status', env: StepOptions.toEnv(BuildPage.statusOptions(config, units, pwd())),
                credentialsId: config.credentialsId, nodejs: config.nodejs, deadlineMinutes: config.statusTimeoutMinutes)
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        return [exitCode: -1, error: [message: problem.message]]
    }
}
