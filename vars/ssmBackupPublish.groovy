import org.ssmbackup.BuildPage
import org.ssmbackup.ReportRequest

// Puts a backup run's files on its build page (see ssmBackupPublish.txt): the status view (chart and page) and the Plot
// plugin's CSVs as artifacts, the per-region JUnit results and one trend per CSV (Plot plugin). A missing plugin is one
// line; nothing here fails the build or changes its result.

/** args: rendered (the engine rendered report.json), plots (its `plots`: [file:, title:, yaxis:]). */
void call(Map args) {
    archiveArtifacts(artifacts: BuildPage.ARTIFACTS, allowEmptyArchive: true)
    if (!args.rendered) {
        return
    }
    try {
        junit(testResults: ReportRequest.REPORT_DIR + '/junit.xml', allowEmptyResults: true, skipMarkingBuildUnstable: true)
    } catch (NoSuchMethodError missing) {
        echo('Per-region test report not recorded: the JUnit plugin is not installed')
    }
    plotTrends(BuildPage.plotArguments(args.plots))
}

/** One `plot` per CSV; the Plot plugin missing is one NOTE line, another failure one WARNING line (an abort is rethrown). */
void plotTrends(List<Map> trends) {
    try {
        for (Map trend in trends) {
            plot(trend)
        }
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (NoSuchMethodError missing) {
        echo('NOTE: trends not plotted (parameters, duration, archive size): the Plot plugin is not installed')
    } catch (Throwable problem) {
        echo("WARNING: trends not plotted: ${problem.message}")
    }
}
