package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * What a backup run shows on its build page besides the report: the status view (`ssm-backup status --chart
 * parameters.svg --output html --output-file status.html`, ts/contract/report.ts STATUS_CHART_FILE, STATUS_PAGE_FILE),
 * the Plot plugin's CSVs (report.json `plots`) and the links to the view in the build description (`notify --chart-url
 * --status-url --description-format`). Pure, @NonCPS, sandbox-whitelisted methods only.
 */
class BuildPage implements Serializable {
    private static final long serialVersionUID = 1L
    static final String REPORT_DIR = ReportRequest.REPORT_DIR
    static final String CHART_FILE = REPORT_DIR + '/parameters.svg'
    static final String PAGE_FILE = REPORT_DIR + '/status.html'
    /** archiveArtifacts pattern: the status view and the Plot plugin CSVs (what exists of them). */
    static final String ARTIFACTS = CHART_FILE + ',' + PAGE_FILE + ',' + REPORT_DIR + '/plot-*.csv'
    /** notify --description-format (ts/contract/report.ts DESCRIPTION_FORMATS). */
    static final List<String> DESCRIPTION_FORMATS = ['text', 'html']
    /** `status` exit codes (ts/contract/report.ts STATUS_EXIT_CODES): 1 = some region STALE or FAILING, the view written. */
    static final int STATUS_NOT_OK = 1
    /** coreutils timeout: TERM at the deadline (124), KILL after the grace (137). */
    static final List<Integer> DEADLINE_CODES = [124, 137]

    /** The step's options with [problem: '...'] when descriptionFormat is not one of DESCRIPTION_FORMATS (refused before anything runs). */
    @NonCPS
    static Map checked(String step, Map config) {
        if (config.problem || config.descriptionFormat in DESCRIPTION_FORMATS) {
            return config
        }
        return config + [problem: "${step}: option 'descriptionFormat' must be text or html, got '${config.descriptionFormat}'".toString()]
    }

    /**
     * `ssm-backup status` options: the step's environment, home region and regions, the accounts of a multi-account plan
     * (units: BackupRun.units), the page and the chart written into the report folder (workspace paths).
     */
    @NonCPS
    static Map statusOptions(Map config, Map units, String workspace) {
        List<String> accounts = []
        for (String key in (units.keys ?: [])) {
            String accountId = units.accounts?.get(key)
            if (accountId && !(accountId in accounts)) {
                accounts << accountId
            }
        }
        return [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, regions: config.regions,
                accounts: accounts ? accounts.join(',') : null, output: 'html', outputFile: "${workspace}/${PAGE_FILE}".toString(),
                chart: "${workspace}/${CHART_FILE}".toString()]
    }

    /**
     * The one line the status run leaves in the log, or null when every region is OK. result: ssmBackupEngine's
     * [exitCode:, error:, deadlineMinutes:] (exitCode -1: the engine could not run); written: the page exists.
     */
    @NonCPS
    static String statusLine(Map result, boolean written) {
        if (result.exitCode == 0 && written) {
            return null
        }
        if (result.exitCode == STATUS_NOT_OK && written) {
            return "NOTE: status: a region is STALE or FAILING (see the status page, ${PAGE_FILE}); the backup result does not change".toString()
        }
        String why = result.exitCode in DEADLINE_CODES ? "stopped at its ${result.deadlineMinutes}-minute deadline (statusTimeoutMinutes)" :
                (result.error?.message ?: "the engine exited with code ${result.exitCode}")
        return "WARNING: status view not written (the backup result does not change): ${why}".toString()
    }

    /** notify options linking what exists of the view (archived under the build's artifact/ URL); nulls are left out by toEnv. */
    @NonCPS
    static Map linkOptions(String buildUrl, boolean chart, boolean page, String descriptionFormat) {
        String base = buildUrl ? "${buildUrl}artifact/" : null
        return [chartUrl: base && chart ? base + CHART_FILE : null, statusUrl: base && page ? base + PAGE_FILE : null,
                descriptionFormat: descriptionFormat]
    }

    /**
     * `plot` step arguments (Plot plugin) for report.json `plots` ([file:, title:, yaxis:]): one line plot per CSV in the
     * group 'SSM backup', every column a series (inclusionFlag OFF), its data kept in the job under csvFileName.
     */
    @NonCPS
    static List<Map> plotArguments(List<Map> plots) {
        return (plots ?: []).collect { Map plot ->
            [csvFileName: "ssm-backup-${plot.file}".toString(), group: 'SSM backup', title: plot.title, style: 'line', yaxis: plot.yaxis,
             csvSeries: [[file: "${REPORT_DIR}/${plot.file}".toString(), inclusionFlag: 'OFF', exclusionValues: '', displayTableFlag: false, url: '']]]
        }
    }
}
