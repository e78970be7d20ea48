import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

import org.junit.Test
import testsupport.OrderedJson
import testsupport.PipelineTestCase
import testsupport.ShCall

/** Unit tests of vars/ssmMultiRegionBackup.groovy: backup answered by a FakeEngine, the report rendered by the real bundle. */
class SsmMultiRegionBackupTest extends PipelineTestCase {
    static final List<String> THREE = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
    static final List<String> ALL_STAGES = ['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Backup eu-west-1', 'Finalize Report']

    Map written() { (Map) OrderedJson.parse(new File(harness.workspace, 'ssm-backup-work/region_summaries.json').text) }

    @Test
    void 'backs up every planned region in its own stage, in order, and states the outcome'() {
        engine.regions = THREE
        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(ALL_STAGES, harness.stages)
        assertEquals([:], harness.stageResults)
        assertEquals(linked('OK 3/3 regions, 36 parameters'), harness.currentBuild.description)
        assertNull(harness.currentBuild.result)
        assertEquals(['plan', 'backup', 'backup', 'backup', 'status', 'notify'], engine.calls*.script.findAll { it.contains('node "') }*.tokenize(' ')*.last())
        assertEquals(THREE, engine.engineCalls('backup')*.env*.SSM_BACKUP_REGIONS)
        assertEquals('ap-northeast-1,us-west-2,eu-west-1', harness.env.REGION_LIST)
        // the engine's summary, unchanged: Groovy reads it and never rebuilds it
        assertEquals(written(), summaries)
        assertEquals([added: 2, removed: 0, changed: 1, previousCount: 10, previousArchive: 'prev.tar.gz'], summaries['us-west-2'].drift)
        assertEquals(2048, summaries['us-west-2'].archiveBytes)
    }

    @Test
    void 'prints a final table of the regions in the console'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        String log = harness.log.toString()
        assertTrue(log, log.contains('OK 2/2 regions, 24 parameters\n' +
                'REGION          STATUS   PARAMETERS  CHANGE    TIME    ARCHIVE / CAUSE\n' +
                'ap-northeast-1  SUCCESS          12  +2 -0 ~1  4m 12s  s3://bucket-ap-northeast-1/2026-11-28/ssm-backup-dev-ap-northeast-1-20261128_130000.tar.gz (2.0 KiB)\n' +
                'us-west-2       SUCCESS          12  +2 -0 ~1  4m 12s  s3://bucket-us-west-2/2026-11-28/ssm-backup-dev-us-west-2-20261128_130000.tar.gz (2.0 KiB)\n'))
    }

    @Test
    void 'hands the plan, the one summary file, fail-fast and the deadline to each region, options only in the environment'() {
        harness.run('ssmMultiRegionBackup', [environment: 'prod', path: '/app/', includeTags: true, failFast: false, regionTimeoutMinutes: 15])

        ShCall second = engine.engineCalls('backup')[1]
        String work = "${harness.workspace}/ssm-backup-work"
        assertEquals(['us-west-2', 'us-west-2', "${work}/us-west-2".toString()], [second.env.TARGET_REGION, second.env.AWS_REGION, second.env.REGION_DATA_DIR])
        assertEquals([SSM_BACKUP_PLAN_FILE: "${work}/plan.json".toString(), SSM_BACKUP_REGIONS: 'us-west-2',
                      SSM_BACKUP_SUMMARY_FILE: "${work}/region_summaries.json".toString(), SSM_BACKUP_WORK_DIR: work,
                      SSM_BACKUP_FAIL_FAST: 'false', SSM_BACKUP_REGION_TIMEOUT: '900', SSM_BACKUP_DRY_RUN: 'false',
                      SSM_BACKUP_INCLUDE_TAGS: 'true', SSM_BACKUP_INCLUDE_LABELS: 'false', SSM_BACKUP_PATH: '/app/', SSM_BACKUP_MAX_SHRINK: '10',
                      SSM_BACKUP_ALLOW_SHRINK: 'false', SSM_BACKUP_ALLOW_EMPTY: 'false', SSM_BACKUP_REQUIRE_CLIENT_ENCRYPTION: 'false',
                      SSM_BACKUP_GUARD_ADVICE: 'jenkins', SSM_BACKUP_REQUIRE_GUARD: 'false'],
                second.env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        assertTrue(second.env.SSM_BACKUP_ERROR_FILE.endsWith('@tmp/ssm-backup/backup-us-west-2/error.json'))
        // Initialize 10; all regions 2 x (15 + 2) + 30; each region's Jenkins backstop 15 + 2 + 1; the report 10 + 1.
        // On the agent the engine is killed at 15 + 2 minutes (it stops itself at its own 900 s deadline first); status at 3.
        assertEquals([10, 64, 18, 18, 11], harness.calls('timeout')*.args*.getAt(0)*.time)
        assertEquals(['600', '1020', '1020', '180', '600'], engine.calls.findAll { it.script.contains('node "') }*.env*.SSM_ENGINE_DEADLINE_SEC)
    }

    @Test
    void 'fails the second region, the engine skips the third, every region keeps its stage'() {
        engine.regions = THREE
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('FAILED us-west-2: Bucket definition missing for us-west-2', error.message)
        assertEquals(linked(error.message), harness.currentBuild.description)
        assertEquals(ALL_STAGES, harness.stages)
        assertEquals(['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], harness.stageResults)
        assertEquals(THREE, engine.engineCalls('backup')*.env*.SSM_BACKUP_REGIONS)
        assertEquals(['SUCCESS', 'FAILED', 'SKIPPED'], written().values()*.status)
        assertEquals('not started: us-west-2 failed (fail-fast; failFast: false backs up every region)', written()['eu-west-1'].failureMessage)
        assertEquals('FAILURE', harness.currentBuild.result)
        assertEquals([[artifacts: 'ssm-backup-work/region_summaries.json', allowEmptyArchive: true],
                      [artifacts: 'ssm-backup-work/report/parameters.svg,ssm-backup-work/report/status.html,ssm-backup-work/report/plot-*.csv', allowEmptyArchive: true]],
                harness.calls('archiveArtifacts')*.args*.getAt(0))
        assertEquals("${harness.workspace}/ssm-backup-work/region_summaries.json".toString(), harness.env.REGION_SUMMARY_PATH)
    }

    @Test
    void 'with failFast false the engine backs up every region and the build fails at the end'() {
        engine.regions = THREE
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', failFast: false])

        assertEquals('FAILED us-west-2: Bucket definition missing for us-west-2', error.message)
        assertEquals(['SUCCESS', 'FAILED', 'SUCCESS'], written().values()*.status)
        assertEquals(['Backup us-west-2': 'FAILURE'], harness.stageResults)
    }

    @Test
    void 'a region stopped at its deadline is TIMED_OUT: failed stage and test case'() {
        engine.timeouts << 'us-west-2'

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('TIMED_OUT us-west-2: Stopped at the 600s deadline (regionTimeoutMinutes) after collecting 7000 parameters', error.message)
        assertEquals(['Backup us-west-2': 'FAILURE'], harness.stageResults)
        assertTrue(junitXml().contains('<testcase classname="ssm-backup.dev" name="us-west-2" time="600.000">\n      <failure type="TIMED_OUT"'))
    }

    @Test
    void 'warnings that need a look make the region stage and the build UNSTABLE, without failing'() {
        engine.warnings['us-west-2'] = ['/jenkins/dev/backup/s3-bucket-name differs from the default region bucket']

        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('UNSTABLE', harness.currentBuild.result)
        assertEquals(['Backup us-west-2': 'UNSTABLE'], harness.stageResults)
        assertEquals(linked('UNSTABLE 2/2 regions, 24 parameters, warnings in us-west-2'), harness.currentBuild.description)
        assertEquals(1, summaries['us-west-2'].warnings.size())
        assertTrue(harness.log.toString().contains('WARNING: us-west-2: /jenkins/dev/backup/s3-bucket-name differs'))
    }

    @Test
    void 'dry run reaches every region and is stated in the description'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', dryRun: 'true'])

        assertEquals(['true', 'true'], engine.engineCalls('backup')*.env*.SSM_BACKUP_DRY_RUN)
        assertEquals(linked('DRY RUN OK 2/2 regions, 24 parameters'), harness.currentBuild.description)
        assertEquals('true', engine.engineCalls('notify')[0].env.SSM_BACKUP_DRY_RUN)
    }

    @Test
    void 'an engine that stops without recording the region fails the stage with the error file cause'() {
        engine.crashes['ap-northeast-1'] = [exitCode: 2, message: '--plan-file is not a plan: regions missing']

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(harness.log.toString(), ['Backup ap-northeast-1': 'FAILURE'], harness.stageResults)
        assertEquals('FAILED ap-northeast-1: the engine exited with code 2: --plan-file is not a plan: regions missing', error.message)
        // the engine recorded no failure, so its fail-fast does not skip us-west-2
        assertEquals(['SKIPPED', 'SUCCESS'], written().values()*.status)
    }

    @Test
    void 'an abort marks the running and the remaining regions ABORTED with their cause, reports ABORTED and is rethrown'() {
        engine.regions = THREE
        engine.throwing['us-west-2'] = new InterruptedException('Aborted by admin')

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertTrue(error instanceof InterruptedException)
        assertEquals(ALL_STAGES, harness.stages)
        assertEquals(['Backup us-west-2': 'ABORTED', 'Backup eu-west-1': 'ABORTED'], harness.stageResults)
        assertEquals(['ap-northeast-1', 'us-west-2'], engine.engineCalls('backup')*.env*.SSM_BACKUP_REGIONS)
        assertEquals('ABORTED', engine.engineCalls('notify')[0].env.SSM_BACKUP_RESULT)
        assertEquals('ABORTED us-west-2 (+1 more region(s): 1 ABORTED): the build was aborted (by a user or a Jenkins timeout) while it ran; ' +
                'latest.txt was not moved by it', harness.currentBuild.description)
    }

    @Test
    void 'parallel true runs every region at once, each on a node of the label, and Initialize and Finalize on nodes of their own'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', parallel: true, agentLabel: 'ec2-fleet-small'])

        Map branches = harness.calls('parallel')[0].args[0]
        assertEquals(['failFast', 'units 1', 'units 2'], branches.keySet().toList())
        assertEquals(false, branches.failFast)
        assertEquals(['ec2-fleet-small'] * 4, harness.nodes*.label)
        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Finalize Report'], harness.stages)
        // each region's engine ran in its own workspace, with the plan it was handed
        List backups = engine.engineCalls('backup')
        assertEquals([harness.nodes[1].workspace, harness.nodes[2].workspace]*.path.collect { "${it}/ssm-backup-work/plan.json".toString() },
                backups*.env*.SSM_BACKUP_PLAN_FILE)
        assertEquals(['true', 'true'], backups*.env*.SSM_BACKUP_FAIL_FAST)
        assertEquals(linked('OK 2/2 regions, 24 parameters'), harness.currentBuild.description)
    }

    @Test
    void 'a summary of an earlier build is removed before the plan'() {
        File stale = new File(harness.workspace, 'ssm-backup-work/region_summaries.json')
        stale.parentFile.mkdirs()
        stale.text = '{"eu-north-1":{"status":"FAILED","failureMessage":"old"}}'

        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['ap-northeast-1', 'us-west-2'], written().keySet().toList())
        assertEquals([['ssm-backup-work'], ['ssm-backup-work/report']], harness.calls('dir')*.args*.findAll { it instanceof String })
    }

    @Test
    void 'an unknown option fails and lists the valid ones'() {
        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', dryrun: true, region: 'x'])

        assertEquals('ssmMultiRegionBackup: unknown option(s) dryrun, region; valid options: environment, dryRun, ssmHomeRegion, ' +
                'regions, path, includeTags, includeLabels, maxShrink, allowShrink, allowEmpty, requireClientEncryption, requireGuard, failFast, parallel, agentLabel, regionTimeoutMinutes, ' +
                'initializeTimeoutMinutes, reportTimeoutMinutes, credentialsId, slackChannel, slackWebhookCredentialsId, email, emailCc, runbookUrl, nodejs, statusChart, statusTimeoutMinutes, descriptionFormat', error.message)
        assertTrue(engine.calls.empty)
    }

    @Test
    void 'environment is required and the timeout must be a positive number'() {
        assertEquals("ssmMultiRegionBackup: option 'environment' is required, e.g. ssmMultiRegionBackup(environment: params.ENVIRONMENT)",
                runFailing('ssmMultiRegionBackup', [environment: '', dryRun: true]).message)
        assertEquals("ssmMultiRegionBackup: option 'regionTimeoutMinutes' must be a positive whole number, got 'ten'",
                runFailing('ssmMultiRegionBackup', [environment: 'dev', regionTimeoutMinutes: 'ten']).message)
        assertTrue(engine.calls.empty)
    }

    @Test
    void 'a configuration error from the plan fails Initialize and is reported once, from the error file'() {
        engine.planError = [message: 'Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1']

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('Initialize failed: Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1', error.message)
        assertEquals(['Initialize', 'Finalize Report'], harness.stages)
        assertEquals('FAILED: Initialize failed: Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1', harness.currentBuild.description)
        assertFalse(new File(harness.workspace, 'ssm-backup-work/region_summaries.json').exists())
    }

    @Test
    void 'a missing node names the nodejs option'() {
        engine.nodeCheckStatus = 127

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertTrue(error.message, error.message.startsWith("ssm-backup needs Node.js >= 20 but 'node' is missing or older on this agent (PATH)"))
        assertTrue(error.message, error.message.contains('set the `nodejs` option'))
        assertEquals(['Initialize', 'Finalize Report'], harness.stages)
        assertTrue(harness.currentBuild.description, harness.currentBuild.description.startsWith('FAILED: report not rendered: '))
    }

    @Test
    void 'the nodejs option runs the engine inside the NodeJS tool'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', nodejs: 'node-20'])

        assertEquals([nodeJSInstallationName: 'node-20'], harness.calls('nodejs')[0].args[0])
        assertTrue(engine.engineCalls('plan')[0].env.PATH.startsWith('/opt/nodejs/bin'))
    }

    @Test
    void 'AWS credentials are bound only when credentialsId is given'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])
        assertTrue(harness.calls('withCredentials').empty)

        setUpHarness()
        harness.credentials['aws-backup'] = [accessKey: 'AKIAEXAMPLE', secretKey: 'wJalrEXAMPLEKEY']
        harness.run('ssmMultiRegionBackup', [environment: 'dev', credentialsId: 'aws-backup'])
        assertEquals([[[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: 'aws-backup']]] * 4,   // plan, 2 backups, status
                harness.calls('withCredentials')*.args*.getAt(0))
        assertEquals('AKIAEXAMPLE', engine.engineCalls('backup')[0].env.AWS_ACCESS_KEY_ID)
        assertEquals('AKIAEXAMPLE', engine.engineCalls('status')[0].env.AWS_ACCESS_KEY_ID)
        assertEquals(null, engine.engineCalls('notify')[0].env.AWS_ACCESS_KEY_ID)
    }

    @Test
    void 'reads no stdout'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertFalse(harness.calls('sh')*.namedArgs.any { it.returnStdout })
    }

    @Test
    void 'a region whose engine cannot be run (a missing credential) is FAILED with that cause, and the next regions still get theirs'() {
        engine.regions = THREE
        harness.credentials['aws-backup'] = [accessKey: 'AKIAEXAMPLE', secretKey: 'wJalrEXAMPLEKEY']
        int bound = 0
        harness.registerAllowedMethod('withCredentials') { List bindings, Closure body ->
            if (++bound == 3) {
                throw new hudson.AbortException("Could not find credentials entry with ID 'aws-backup'")
            }
            harness.withEnvironment([]) { body() }
        }

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', credentialsId: 'aws-backup'])

        assertEquals(ALL_STAGES, harness.stages)
        assertEquals(['Backup us-west-2': 'FAILURE'], harness.stageResults)
        assertEquals("FAILED us-west-2: the engine could not be run: Could not find credentials entry with ID 'aws-backup'", error.message)
        assertEquals(['SUCCESS', 'SKIPPED', 'SUCCESS'], written().values()*.status)
    }

    @Test
    void 'an abort during Initialize is ABORTED, not a failure with no region'() {
        int timeouts = 0
        harness.registerAllowedMethod('timeout') { Map spec, Closure body ->
            if (++timeouts == 1) {
                throw new InterruptedException('aborted by admin')
            }
            body()
        }

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertTrue(error instanceof InterruptedException)
        assertEquals(['Initialize', 'Finalize Report'], harness.stages)
        assertEquals('ABORTED', engine.engineCalls('notify')[0].env.SSM_BACKUP_RESULT)
        assertEquals('no summary was written (see the console log)', engine.engineCalls('notify')[0].env.SSM_BACKUP_FAILURE_MESSAGE)
    }
}
