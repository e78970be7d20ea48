import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

import hudson.AbortException
import org.junit.Test
import testsupport.PipelineTestCase
import testsupport.ShCall

/**
 * vars/ssmBackupStatus.groovy through ssmMultiRegionBackup: after the regions, `ssm-backup status` writes the chart and
 * the status page for the build page, best effort; the report (the real bundle's notify) links what it wrote.
 */
class SsmBackupStatusTest extends PipelineTestCase {
    static final String REPORT = 'ssm-backup-work/report'

    List<String> engineCommands() { engine.calls*.script.findAll { it.contains('node "') }*.tokenize(' ')*.last() }

    File reportFile(String name) { new File(harness.workspace, "${REPORT}/${name}") }

    List<String> logLines(String prefix) { harness.log.readLines().findAll { it.startsWith(prefix) } }

    @Test
    void 'after the regions and before the report, status writes the chart and the page with the build options and credentials'() {
        harness.credentials['aws-backup'] = [accessKey: 'AKIAEXAMPLE', secretKey: 'wJalrEXAMPLEKEY']
        harness.run('ssmMultiRegionBackup', [environment: 'prod', ssmHomeRegion: 'us-east-1', regions: 'us-west-2', credentialsId: 'aws-backup'])

        assertEquals(['plan', 'backup', 'status', 'notify'], engineCommands())
        ShCall status = engine.engineCalls('status')[0]
        String dir = "${harness.workspace}/${REPORT}"
        assertEquals([SSM_BACKUP_ENVIRONMENT: 'prod', SSM_BACKUP_SSM_HOME_REGION: 'us-east-1', SSM_BACKUP_REGIONS: 'us-west-2', SSM_BACKUP_OUTPUT: 'html',
                      SSM_BACKUP_OUTPUT_FILE: "${dir}/status.html".toString(), SSM_BACKUP_CHART: "${dir}/parameters.svg".toString()],
                status.env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        assertEquals('AKIAEXAMPLE', status.env.AWS_ACCESS_KEY_ID)
        assertEquals('180', status.env.SSM_ENGINE_DEADLINE_SEC)   // statusTimeoutMinutes: 3
        assertEquals(linked('OK 1/1 regions, 12 parameters'), harness.currentBuild.description)
        assertEquals([], logLines('NOTE: status') + logLines('WARNING'))
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'statusTimeoutMinutes bounds the status run, stopped at the deadline it is one WARNING line and the build stays green'() {
        List<ShCall> seen = []
        harness.shHandler = { ShCall call -> if (call.script.endsWith(' status')) { seen << call; return 124 }; engine.handle(call) }
        harness.run('ssmMultiRegionBackup', [environment: 'dev', statusTimeoutMinutes: 5])

        assertEquals('300', seen[0].env.SSM_ENGINE_DEADLINE_SEC)
        assertEquals(['WARNING: status view not written (the backup result does not change): stopped at its 5-minute deadline (statusTimeoutMinutes)'],
                logLines('WARNING'))
        assertEquals('OK 2/2 regions, 24 parameters', harness.currentBuild.description)
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'a region STALE or FAILING (exit 1): the view is still linked and archived, one NOTE line, the build result unchanged'() {
        engine.statusExit = 1
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['NOTE: status: a region is STALE or FAILING (see the status page, ssm-backup-work/report/status.html); the backup result does not change'],
                logLines('NOTE: status'))
        assertEquals([], logLines('WARNING'))
        assertEquals(linked('OK 2/2 regions, 24 parameters'), harness.currentBuild.description)
        assertTrue(reportFile('parameters.svg').file && reportFile('status.html').file)
        assertTrue(harness.calls('archiveArtifacts')*.namedArgs*.artifacts.contains(
                'ssm-backup-work/report/parameters.svg,ssm-backup-work/report/status.html,ssm-backup-work/report/plot-*.csv'))
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'status refused (exit 2): one WARNING line with the cause, nothing linked, the build result unchanged'() {
        engine.statusCrash = [exitCode: 2, message: 'Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1']
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['WARNING: status view not written (the backup result does not change): Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1'],
                logLines('WARNING'))
        assertEquals('OK 2/2 regions, 24 parameters', harness.currentBuild.description)
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'status crashing on the agent is one WARNING line, a failed backup stays FAILURE with its own cause'() {
        engine.failures['us-west-2'] = 'AccessDenied'
        harness.shHandler = { ShCall call -> if (call.script.endsWith('status')) { throw new AbortException('agent connection lost') }; engine.handle(call) }
        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('FAILED us-west-2: AccessDenied', error.message)
        assertEquals(['WARNING: status view not written (the backup result does not change): agent connection lost'], logLines('WARNING'))
        assertEquals('FAILED us-west-2: AccessDenied', harness.currentBuild.description)
        assertEquals('FAILURE', harness.currentBuild.result)
    }

    @Test
    void 'statusChart false: status never runs, nothing is linked, and a view an earlier build left here is removed'() {
        reportFile('parameters.svg').with { parentFile.mkdirs(); text = '<svg>old</svg>' }
        harness.run('ssmMultiRegionBackup', [environment: 'dev', statusChart: false])

        assertEquals(['plan', 'backup', 'backup', 'notify'], engineCommands())
        assertEquals('OK 2/2 regions, 24 parameters', harness.currentBuild.description)
        assertFalse(reportFile('parameters.svg').exists())
        assertEquals([], logLines('NOTE: status') + logLines('WARNING'))
    }

    @Test
    void 'a dry run shows the status view too (it only reads), and says DRY RUN'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', dryRun: true])

        assertEquals(['plan', 'backup', 'backup', 'status', 'notify'], engineCommands())
        assertEquals(linked('DRY RUN OK 2/2 regions, 24 parameters'), harness.currentBuild.description)
    }

    @Test
    void 'an aborted build and a build that planned nothing run no status'() {
        engine.throwing['us-west-2'] = new InterruptedException('aborted by admin')
        try {
            harness.run('ssmMultiRegionBackup', [environment: 'dev'])
        } catch (InterruptedException expected) {
            assertEquals('aborted by admin', expected.message)
        }
        assertEquals([], engine.engineCalls('status'))

        setUpHarness()
        engine.regions = []
        runFailing('ssmMultiRegionBackup', [environment: 'dev'])
        assertEquals([], engine.engineCalls('status'))
    }

    @Test
    void 'a multi-account plan: status reads every planned account once'() {
        engine.accounts = [[accountId: '111111111111', alias: 'prod-a', regions: ['ap-northeast-1', 'us-west-2']],
                           [accountId: '222222222222', regions: ['us-west-2']]]
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('111111111111,222222222222', engine.engineCalls('status')[0].env.SSM_BACKUP_ACCOUNTS)
        assertEquals(linked('OK 3/3 units in 2 accounts, 36 parameters'), harness.currentBuild.description)
    }

    @Test
    void 'descriptionFormat html gives a href links for the Safe HTML formatter, an unknown format is refused before anything runs'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', descriptionFormat: 'html'])
        assertEquals(("OK 2/2 regions, 24 parameters | <a href=\"${ARTIFACTS}ssm-backup-work/report/parameters.svg\">chart</a> | " +
                "<a href=\"${ARTIFACTS}ssm-backup-work/report/status.html\">status</a>").toString(), harness.currentBuild.description)
        assertTrue(harness.log.toString(), harness.log.toString().contains('OK 2/2 regions, 24 parameters\nREGION'))   // the console keeps plain text

        setUpHarness()
        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', descriptionFormat: 'markdown'])
        assertEquals("ssmMultiRegionBackup: option 'descriptionFormat' must be text or html, got 'markdown'", error.message)
        assertEquals([], engine.calls)
    }

    @Test
    void 'descriptionFormat html escapes the cause of a failed region, so the Safe HTML formatter shows it as text'() {
        engine.failures['us-west-2'] = 'AccessDenied <ssm:GetParametersByPath> & "kms"'
        runFailing('ssmMultiRegionBackup', [environment: 'dev', descriptionFormat: 'html'])

        String description = harness.currentBuild.description
        assertTrue(description, description.startsWith('FAILED us-west-2: AccessDenied &lt;ssm:GetParametersByPath&gt; &amp; &quot;kms&quot; | <a href="'))
    }
}
