package org.ssmbackup

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull

import org.junit.Test

class BuildPageTest {
    static final String BUILD = 'https://jenkins.example.com/job/backup/42/'

    @Test
    void 'descriptionFormat is text or html, anything else is refused with the option named'() {
        assertNull(BuildPage.checked('ssmMultiRegionBackup', [descriptionFormat: 'text']).problem)
        assertNull(BuildPage.checked('ssmMultiRegionBackup', [descriptionFormat: 'html']).problem)
        assertEquals("ssmMultiRegionBackup: option 'descriptionFormat' must be text or html, got 'markdown'",
                BuildPage.checked('ssmMultiRegionBackup', [descriptionFormat: 'markdown']).problem)
        assertEquals('an earlier problem', BuildPage.checked('x', [problem: 'an earlier problem', descriptionFormat: 'bad']).problem)
    }

    @Test
    void 'status writes the page and the chart into the report folder, for the accounts of the plan once each'() {
        Map config = [environment: 'prod', ssmHomeRegion: 'us-east-1', regions: 'us-west-2,eu-west-1']
        assertEquals([environment: 'prod', ssmHomeRegion: 'us-east-1', regions: 'us-west-2,eu-west-1', accounts: null, output: 'html',
                      outputFile: '/w/ssm-backup-work/report/status.html', chart: '/w/ssm-backup-work/report/parameters.svg'],
                BuildPage.statusOptions(config, [keys: ['us-west-2', 'eu-west-1'], accounts: [:]], '/w'))
        Map units = [keys: ['111111111111/us-west-2', '111111111111/eu-west-1', '222222222222/us-west-2'],
                     accounts: ['111111111111/us-west-2': '111111111111', '111111111111/eu-west-1': '111111111111', '222222222222/us-west-2': '222222222222']]
        assertEquals('111111111111,222222222222', BuildPage.statusOptions(config, units, '/w').accounts)
    }

    @Test
    void 'one line for what status said: nothing when OK, a NOTE when a region is not OK, a WARNING when no view was written'() {
        assertNull(BuildPage.statusLine([exitCode: 0], true))
        assertEquals('NOTE: status: a region is STALE or FAILING (see the status page, ssm-backup-work/report/status.html); the backup result does not change',
                BuildPage.statusLine([exitCode: 1, error: [message: 'One or more regions failed']], true))
        assertEquals('WARNING: status view not written (the backup result does not change): AccessDenied: s3:ListBucket',
                BuildPage.statusLine([exitCode: 1, error: [message: 'AccessDenied: s3:ListBucket']], false))
        assertEquals('WARNING: status view not written (the backup result does not change): bad config',
                BuildPage.statusLine([exitCode: 2, error: [message: 'bad config']], false))
        assertEquals('WARNING: status view not written (the backup result does not change): stopped at its 3-minute deadline (statusTimeoutMinutes)',
                BuildPage.statusLine([exitCode: 124, error: [message: 'engine exited with code 124'], deadlineMinutes: 3], true))
        assertEquals('WARNING: status view not written (the backup result does not change): the engine exited with code 0',
                BuildPage.statusLine([exitCode: 0], false))
    }

    @Test
    void 'links only the files that exist, under the build artifact URL, and never without a build URL'() {
        assertEquals([chartUrl: "${BUILD}artifact/ssm-backup-work/report/parameters.svg".toString(),
                      statusUrl: "${BUILD}artifact/ssm-backup-work/report/status.html".toString(), descriptionFormat: 'html'],
                BuildPage.linkOptions(BUILD, true, true, 'html'))
        assertEquals([chartUrl: null, statusUrl: "${BUILD}artifact/ssm-backup-work/report/status.html".toString(), descriptionFormat: 'text'],
                BuildPage.linkOptions(BUILD, false, true, 'text'))
        assertEquals([chartUrl: null, statusUrl: null, descriptionFormat: 'text'], BuildPage.linkOptions(null, true, true, 'text'))
    }

    @Test
    void 'one line plot per CSV of the report, every column a series, its data kept under a name of its own'() {
        List<Map> plots = [[file: 'plot-parameters.csv', title: 'SSM parameters backed up', yaxis: 'parameters'],
                           [file: 'plot-archive-bytes.csv', title: 'SSM backup archive size', yaxis: 'bytes']]
        assertEquals([[csvFileName: 'ssm-backup-plot-parameters.csv', group: 'SSM backup', title: 'SSM parameters backed up', style: 'line', yaxis: 'parameters',
                       csvSeries: [[file: 'ssm-backup-work/report/plot-parameters.csv', inclusionFlag: 'OFF', exclusionValues: '', displayTableFlag: false, url: '']]],
                      [csvFileName: 'ssm-backup-plot-archive-bytes.csv', group: 'SSM backup', title: 'SSM backup archive size', style: 'line', yaxis: 'bytes',
                       csvSeries: [[file: 'ssm-backup-work/report/plot-archive-bytes.csv', inclusionFlag: 'OFF', exclusionValues: '', displayTableFlag: false, url: '']]]],
                BuildPage.plotArguments(plots))
        assertEquals([], BuildPage.plotArguments(null))
    }
}
