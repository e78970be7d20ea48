import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

import org.junit.Test
import testsupport.PipelineTestCase
import testsupport.ShCall

/** vars/ssmBackupPublish.groovy through ssmMultiRegionBackup: artifacts, JUnit and Plot plugin trends of a backup. */
class SsmBackupPublishTest extends PipelineTestCase {
    static final String VIEW = 'ssm-backup-work/report/parameters.svg,ssm-backup-work/report/status.html,ssm-backup-work/report/plot-*.csv'

    List<String> logLines(String prefix) { harness.log.readLines().findAll { it.startsWith(prefix) } }

    @Test
    void 'archives the chart, the status page and the three Plot CSVs next to the summary'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals([[artifacts: 'ssm-backup-work/region_summaries.json', allowEmptyArchive: true], [artifacts: VIEW, allowEmptyArchive: true]],
                harness.calls('archiveArtifacts')*.namedArgs)
        List<String> present = ['parameters.svg', 'status.html', 'plot-parameters.csv', 'plot-duration-seconds.csv', 'plot-archive-bytes.csv']
        for (String name in present) {
            assertTrue(name, new File(harness.workspace, "ssm-backup-work/report/${name}").file)
        }
        assertEquals('ap-northeast-1,us-west-2\n12,12\n', new File(harness.workspace, 'ssm-backup-work/report/plot-parameters.csv').text)
    }

    @Test
    void 'one line plot per CSV, titled and labelled from the report'() {
        harness.registerAllowedMethod('plot') { Map spec -> null }
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        List<Map> plots = harness.calls('plot')*.namedArgs
        assertEquals(['ssm-backup-plot-parameters.csv', 'ssm-backup-plot-duration-seconds.csv', 'ssm-backup-plot-archive-bytes.csv'], plots*.csvFileName)
        assertEquals(['SSM parameters backed up', 'SSM backup duration', 'SSM backup archive size'], plots*.title)
        assertEquals(['parameters', 'seconds', 'bytes'], plots*.yaxis)
        assertEquals([['SSM backup', 'line']] * 3, plots.collect { [it.group, it.style] })
        assertEquals([[file: 'ssm-backup-work/report/plot-duration-seconds.csv', inclusionFlag: 'OFF', exclusionValues: '', displayTableFlag: false, url: '']],
                plots[1].csvSeries)
        assertEquals([], logLines('NOTE') + logLines('WARNING'))
    }

    @Test
    void 'the Plot plugin missing is one NOTE line and the build stays green'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['NOTE: trends not plotted (parameters, duration, archive size): the Plot plugin is not installed'], logLines('NOTE'))
        assertEquals(1, harness.calls('plot').size())   // the first call found it missing; no second try
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'a plot that fails otherwise is one WARNING line and the build result is unchanged'() {
        harness.registerAllowedMethod('plot') { Map spec -> throw new IllegalStateException('plot data file locked') }
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['WARNING: trends not plotted: plot data file locked'], logLines('WARNING'))
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'a report the engine could not render: the status view is still archived, no JUnit and no trend'() {
        harness.registerAllowedMethod('plot') { Map spec -> null }
        harness.registerAllowedMethod('junit') { Map spec -> null }
        harness.shHandler = { ShCall call -> call.script.endsWith(' notify') ? 1 : engine.handle(call) }
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals([artifacts: VIEW, allowEmptyArchive: true], harness.calls('archiveArtifacts')*.namedArgs[-1])
        assertEquals([], harness.calls('plot') + harness.calls('junit'))
        assertTrue(harness.currentBuild.description, harness.currentBuild.description.startsWith('FAILED: report not rendered: '))
    }

    @Test
    void 'a restore publishes none of it'() {
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2'])

        assertEquals([], harness.calls('ssmBackupPublish') + harness.calls('plot'))
        assertEquals([], engine.engineCalls('status'))
    }
}
