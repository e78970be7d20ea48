import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

import groovy.json.JsonSlurper
import org.junit.Test
import testsupport.PipelineTestCase
import testsupport.ShCall

/** Unit tests of vars/ssmMultiRegionBackup.groovy with the engine's sh calls answered by a FakeEngine. */
class SsmMultiRegionBackupTest extends PipelineTestCase {

    static final List<String> ENGINE_SCRIPTS = [
            'command -v node >/dev/null 2>&1 && node -e \'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 3)\'',
            'node "$SSM_ENGINE_CJS" plan', 'node "$SSM_ENGINE_CJS" backup']

    @Test
    void 'backs up every planned region in its own stage, in order, and reports them'() {
        engine.regions = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Backup eu-west-1', 'Finalize Report'], harness.stages)
        assertEquals(['ap-northeast-1', 'us-west-2', 'eu-west-1'], summaries.keySet().toList())
        assertEquals([status: 'SUCCESS', parameterCount: 12, failureMessage: null, executionTimeSec: 1.2,
                      artifactPath: 's3://bucket-us-west-2/2026-11-28/ssm-backup-dev-us-west-2-20261128_130000.tar.gz'], summaries['us-west-2'])
        assertEquals('Regions=[ap-northeast-1, us-west-2, eu-west-1], Default=ap-northeast-1', harness.currentBuild.description)
        assertEquals('ap-northeast-1,us-west-2,eu-west-1', harness.env.REGION_LIST)
        assertEquals(['plan', 'backup', 'backup', 'backup'], engine.calls*.script.findAll { it.startsWith('node') }*.tokenize(' ')*.last())
        assertEquals(['ap-northeast-1', 'us-west-2', 'eu-west-1'], engine.engineCalls('backup')*.env*.SSM_BACKUP_REGIONS)
        // Initialize: 10 minutes; all backups: 3 regions x 10 minutes + 30; each region: 10 minutes
        assertEquals([[time: 10, unit: 'MINUTES'], [time: 60, unit: 'MINUTES'], [time: 10, unit: 'MINUTES'], [time: 10, unit: 'MINUTES'], [time: 10, unit: 'MINUTES']],
                harness.calls('timeout')*.args*.getAt(0))
        assertNull(harness.currentBuild.result)
    }

    @Test
    void 'each region runs with TARGET_REGION, AWS_REGION and its own data dir, options only in the environment'() {
        harness.run('ssmMultiRegionBackup', [environment: 'prod', path: '/app/', includeTags: true])

        ShCall second = engine.engineCalls('backup')[1]
        String work = "${harness.workspace}/ssm-backup-work"
        assertEquals('us-west-2', second.env.TARGET_REGION)
        assertEquals('us-west-2', second.env.AWS_REGION)
        assertEquals("${work}/us-west-2".toString(), second.env.REGION_DATA_DIR)
        assertEquals([SSM_BACKUP_ENVIRONMENT: 'prod', SSM_BACKUP_SSM_HOME_REGION: 'ap-northeast-1', SSM_BACKUP_REGIONS: 'us-west-2',
                      SSM_BACKUP_WORK_DIR: work, SSM_BACKUP_SUMMARY_FILE: "${work}/summary-us-west-2.json".toString(),
                      SSM_BACKUP_DRY_RUN: 'false', SSM_BACKUP_INCLUDE_TAGS: 'true', SSM_BACKUP_PATH: '/app/'],
                second.env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        assertTrue(second.env.SSM_BACKUP_ERROR_FILE.endsWith('@tmp/ssm-backup/backup-us-west-2/error.json'))
        assertTrue(second.env.SSM_ENGINE_CJS.endsWith('@tmp/ssm-backup/backup-us-west-2/ssm-backup.cjs'))
        assertEquals(ENGINE_SCRIPTS as Set, engine.calls*.script as Set)
    }

    @Test
    void 'dry run passes SSM_BACKUP_DRY_RUN=true to every backup and says so in the email'() {
        harness.registerAllowedMethod('emailext') { Map spec -> null }
        harness.run('ssmMultiRegionBackup', [environment: 'dev', dryRun: 'true', email: 'ops@example.com'])

        assertEquals(['true', 'true'], engine.engineCalls('backup')*.env*.SSM_BACKUP_DRY_RUN)
        assertTrue(harness.calls('emailext')[0].namedArgs.body.startsWith('SSM backup (dev, dry run): SUCCESS'))
    }

    @Test
    void 'a regions override reaches the plan, as a comma-separated list'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', regions: ['us-west-2', ' eu-west-1'], ssmHomeRegion: 'us-east-1'])

        assertEquals('us-west-2,eu-west-1', engine.engineCalls('plan')[0].env.SSM_BACKUP_REGIONS)
        assertEquals('us-east-1', engine.engineCalls('plan')[0].env.SSM_BACKUP_SSM_HOME_REGION)
        assertEquals(['Initialize', 'Backup us-west-2', 'Backup eu-west-1', 'Finalize Report'], harness.stages)
    }

    @Test
    void 'fails the second region, stops before the third and still writes the report'() {
        engine.regions = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('Backup of us-west-2 failed: Bucket definition missing for us-west-2', error.message)
        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Finalize Report'], harness.stages)
        assertEquals(['ap-northeast-1', 'us-west-2'], engine.engineCalls('backup')*.env*.SSM_BACKUP_REGIONS)
        String report = new File(harness.workspace, 'ssm-backup-work/region_summaries.json').text
        Map written = new JsonSlurper().parseText(report)
        assertEquals(['ap-northeast-1': 'SUCCESS', 'us-west-2': 'FAILED', 'eu-west-1': 'SKIPPED'], written.collectEntries { [(it.key): it.value.status] })
        assertTrue(report.indexOf('ap-northeast-1') < report.indexOf('us-west-2') && report.indexOf('us-west-2') < report.indexOf('eu-west-1'))
        assertEquals('Bucket definition missing for us-west-2', written['us-west-2'].failureMessage)
        assertEquals('FAILURE', harness.currentBuild.result)
        assertEquals([[artifacts: 'ssm-backup-work/region_summaries.json', allowEmptyArchive: false]], harness.calls('archiveArtifacts')*.args*.getAt(0))
        assertEquals("${harness.workspace}/ssm-backup-work/region_summaries.json".toString(), harness.env.REGION_SUMMARY_PATH)
    }

    @Test
    void 'a region failure without a summary takes its cause from the error file'() {
        engine.failures['us-west-2'] = 'AccessDenied: not authorized'
        engine.metaClass.backup = { Map env ->
            new File(env.SSM_BACKUP_ERROR_FILE).text = '{"exitCode":1,"category":"aws","message":"AccessDenied: not authorized","region":"us-west-2"}'
            env.SSM_BACKUP_REGIONS == 'us-west-2' ? 1 : 0
        }
        harness.shHandler = { ShCall call -> call.script.endsWith(' backup') ? engine.backup(call.env) : engine.handle(call) }

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('Backup of us-west-2 failed: AccessDenied: not authorized', error.message)
    }

    @Test
    void 'with failFast false every region runs and the build fails at the end'() {
        engine.regions = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', failFast: false])

        assertEquals('SSM backup failed in 1 region(s): us-west-2', error.message)
        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Backup eu-west-1', 'Finalize Report'], harness.stages)
        assertEquals([[buildResult: 'FAILURE', stageResult: 'FAILURE']], harness.calls('catchError')*.args*.getAt(0))
    }

    @Test
    void 'parallel runs each region as a branch on its own agent'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', parallel: true, agentLabel: 'ec2-fleet-small'])

        Map branches = harness.calls('parallel')[0].args[0]
        assertEquals(['failFast', 'ap-northeast-1', 'us-west-2'], branches.keySet().toList())
        assertEquals(true, branches.failFast)
        // one agent for Initialize/Finalize, one per branch
        assertEquals(['ec2-fleet-small'] * 3, harness.calls('node')*.args*.getAt(0))
        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Finalize Report'], harness.stages)
    }

    @Test
    void 'sequential mode with agentLabel runs everything on one agent'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', agentLabel: 'ec2-fleet-micro'])

        assertEquals(['ec2-fleet-micro'], harness.calls('node')*.args*.getAt(0))
        assertTrue(harness.calls('parallel').empty)
    }

    @Test
    void 'an unknown option fails and lists the valid ones'() {
        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', dryrun: true, region: 'x'])

        assertEquals('ssmMultiRegionBackup: unknown option(s) dryrun, region; valid options: environment, dryRun, ssmHomeRegion, ' +
                'regions, path, includeTags, failFast, parallel, agentLabel, regionTimeoutMinutes, credentialsId, ' +
                'slackWebhookCredentialsId, slackChannel, email, nodejs', error.message)
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
    void 'regionTimeoutMinutes sets each region timeout and the overall one'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', regionTimeoutMinutes: '25'])

        assertEquals([25, 80, 25, 25], harness.calls('timeout')*.args*.getAt(0)*.time)
    }

    @Test
    void 'no regions configured stops in Initialize'() {
        engine.regions = []
        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('No regions configured', error.message)
        assertEquals(['Initialize', 'Finalize Report'], harness.stages)
        assertEquals('{\n  }', new File(harness.workspace, 'ssm-backup-work/region_summaries.json').text.replaceAll(/\{\s*\}/, '{\n  }'))
    }

    @Test
    void 'a configuration error from the plan is reported from the error file, not the log'() {
        engine.planError = [message: 'Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1']

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals('Initialize failed: Parameter /jenkins/dev/backup/region-list not found in ap-northeast-1', error.message)
    }

    @Test
    void 'a missing node names the nodejs option'() {
        engine.nodeCheckStatus = 127

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev'])

        assertTrue(error.message, error.message.startsWith("ssm-backup needs Node.js >= 20 but 'node' is missing or older on this agent (PATH)"))
        assertTrue(error.message, error.message.contains('set the `nodejs` option'))
        assertEquals(['Initialize', 'Finalize Report'], harness.stages)
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
        assertEquals([[[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: 'aws-backup']]] * 3,
                harness.calls('withCredentials')*.args*.getAt(0))
        assertEquals('AKIAEXAMPLE', engine.engineCalls('backup')[0].env.AWS_ACCESS_KEY_ID)
    }

    @Test
    void 'an abort is reported as ABORTED and rethrown'() {
        harness.registerAllowedMethod('emailext') { Map spec -> null }
        engine.throwing['us-west-2'] = new InterruptedException('Aborted by admin')

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'dev', email: 'ops@example.com'])

        assertTrue(error instanceof InterruptedException)
        assertEquals('ABORTED', harness.currentBuild.result)
        assertTrue(harness.calls('emailext')[0].namedArgs.subject.startsWith('[ABORTED] SSM backup dev'))
        assertTrue(harness.stages.contains('Finalize Report'))
    }

    @Test
    void 'returns the summaries to the caller and reads no stdout'() {
        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['SUCCESS', 'SUCCESS'], summaries.values()*.status)
        assertFalse(harness.calls('sh')*.namedArgs.any { it.returnStdout })
    }
}
