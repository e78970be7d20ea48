import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import org.junit.Before
import org.junit.Test
import testsupport.PipelineTestCase

/** Notifications of ssmMultiRegionBackup (vars/ssmBackupNotify.groovy): Slack through the engine, email through emailext. */
class SsmBackupNotifyTest extends PipelineTestCase {
    static final String WEBHOOK = 'https://hooks.slack.com/services/T000/B000/s3cr3tT0k3n'
    static final String AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

    Map options = [environment: 'dev', slackWebhookCredentialsId: 'ssm-backup-slack-webhook', email: 'ops@example.com',
                   credentialsId: 'aws-backup']

    @Before
    void credentials() {
        harness.credentials['ssm-backup-slack-webhook'] = WEBHOOK
        harness.credentials['aws-backup'] = [accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: AWS_SECRET]
        harness.registerAllowedMethod('emailext') { Map spec -> null }
    }

    @Test
    void 'success posts to Slack with the webhook bound to SLACK_WEBHOOK_URL and emails OK'() {
        harness.run('ssmMultiRegionBackup', options)

        def notify = engine.engineCalls('notify')
        assertEquals(1, notify.size())
        assertEquals(WEBHOOK, notify[0].env.SLACK_WEBHOOK_URL)
        assertEquals([$class: 'StringBinding', credentialsId: 'ssm-backup-slack-webhook', variable: 'SLACK_WEBHOOK_URL'],
                harness.calls('withCredentials')[-1].args[0][0])
        assertEquals([SSM_BACKUP_SUMMARY_FILE: "${harness.workspace}/ssm-backup-work/region_summaries.json".toString(),
                      SSM_BACKUP_RESULT: 'SUCCESS', SSM_BACKUP_ENVIRONMENT: 'dev', SSM_BACKUP_DRY_RUN: 'false', SSM_BACKUP_TITLE: 'SSM backup',
                      SSM_BACKUP_BUILD_URL: harness.env.BUILD_URL, SSM_BACKUP_JOB_NAME: 'Admin_Jobs/ssm-multi-region-backup',
                      SSM_BACKUP_BUILD_NUMBER: '42', SSM_BACKUP_DURATION_SEC: '125'],
                notify[0].env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        Map mail = harness.calls('emailext')[0].namedArgs
        assertEquals('ops@example.com', mail.to)
        assertEquals('[OK] SSM backup dev - Admin_Jobs/ssm-multi-region-backup #42', mail.subject)
        assertTrue(mail.body.contains('us-west-2        SUCCESS  12 parameters s3://bucket-us-west-2/'))
    }

    @Test
    void 'failure reports the failed region and cause on Slack and FAIL by email'() {
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'

        runFailing('ssmMultiRegionBackup', options)

        Map env = engine.engineCalls('notify')[0].env
        assertEquals('FAILURE', env.SSM_BACKUP_RESULT)
        assertEquals('us-west-2', env.SSM_BACKUP_FAILED_REGION)
        assertEquals('Bucket definition missing for us-west-2', env.SSM_BACKUP_FAILURE_MESSAGE)
        Map mail = harness.calls('emailext')[0].namedArgs
        assertTrue(mail.subject, mail.subject.startsWith('[FAIL] SSM backup dev'))
        assertTrue(mail.body.contains('Failed region: us-west-2: Bucket definition missing for us-west-2'))
    }

    @Test
    void 'a failing Initialize is still notified'() {
        engine.planError = [message: 'Parameter /jenkins/dev/backup/region-list not found']

        runFailing('ssmMultiRegionBackup', options)

        assertEquals('FAILURE', engine.engineCalls('notify')[0].env.SSM_BACKUP_RESULT)
        assertEquals('Initialize failed: Parameter /jenkins/dev/backup/region-list not found',
                engine.engineCalls('notify')[0].env.SSM_BACKUP_FAILURE_MESSAGE)
        assertTrue(harness.calls('emailext')[0].namedArgs.subject.startsWith('[FAIL]'))
    }

    @Test
    void 'a missing Email Extension plugin is a warning, not a failure'() {
        harness.steps.remove('emailext')

        harness.run('ssmMultiRegionBackup', options)

        assertEquals(null, harness.currentBuild.result)
        assertTrue(harness.log.toString().contains("WARNING: email not sent (is the Email Extension plugin installed?): No such DSL method 'emailext'"))
    }

    @Test
    void 'a missing Slack credential or a Slack error is a warning, not a failure'() {
        harness.credentials.remove('ssm-backup-slack-webhook')
        harness.run('ssmMultiRegionBackup', options)
        assertEquals(null, harness.currentBuild.result)
        assertTrue(harness.log.toString().contains("WARNING: Slack notification not sent (credential 'ssm-backup-slack-webhook' or plugin missing?): " +
                "Could not find credentials entry with ID 'ssm-backup-slack-webhook'"))

        setUpHarness()
        credentials()
        engine.notifyStatus = 1
        harness.run('ssmMultiRegionBackup', options)
        assertEquals(null, harness.currentBuild.result)
        assertTrue(harness.log.toString().contains('WARNING: Slack notification failed: Slack answered HTTP 500'))
    }

    @Test
    void 'without Slack or email options nothing is sent, a channel without credential warns'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', slackChannel: '#ops'])

        assertTrue(engine.engineCalls('notify').empty)
        assertTrue(harness.calls('emailext').empty)
        assertTrue(harness.log.toString().contains('WARNING: slackChannel is set but slackWebhookCredentialsId is not'))
    }

    @Test
    void 'no secret reaches a step argument, a shell script or the log'() {
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'
        runFailing('ssmMultiRegionBackup', options + [slackChannel: '#ops; rm -rf /', path: '/app/$(id)'])

        String everything = harness.allArgumentsText() + harness.log
        for (String secret in [WEBHOOK, 's3cr3tT0k3n', AWS_SECRET]) {
            assertFalse("secret ${secret} leaked", everything.contains(secret))
        }
        // every shell script is one of the library's constant strings: user values travel only in the environment
        assertEquals(['command -v node', 'node "$SSM_ENGINE_CJS" plan', 'node "$SSM_ENGINE_CJS" backup', 'node "$SSM_ENGINE_CJS" notify'],
                harness.calls('sh')*.namedArgs*.script*.replaceAll(/^command -v node.*/, 'command -v node').unique())
        assertEquals('#ops; rm -rf /', engine.engineCalls('notify')[0].env.SSM_BACKUP_CHANNEL)
    }
}
