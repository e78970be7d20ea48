import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import org.junit.Before
import org.junit.Test
import testsupport.PipelineTestCase

/**
 * Reporting and notifications of ssmMultiRegionBackup (vars/ssmBackupReport.groovy, vars/ssmBackupNotify.groovy):
 * the engine renders, slackSend sends (the webhook credential is the fallback), emailext mails, junit records.
 */
class SsmBackupNotifyTest extends PipelineTestCase {
    static final String WEBHOOK = 'https://hooks.slack.com/services/T000/B000/s3cr3tT0k3n'
    static final String AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    static final String RUNBOOK = 'https://github.com/example-org/ssm-multi-region-backup/blob/main/docs/runbooks/ssm-backup.md'

    Map options = [environment: 'dev', slackChannel: '#infra-alerts', email: 'ops@example.com', credentialsId: 'aws-backup', runbookUrl: RUNBOOK]
    final List<Map> slackSent = []

    @Before
    void plugins() {
        harness.credentials['ssm-backup-slack-webhook'] = WEBHOOK
        harness.credentials['aws-backup'] = [accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: AWS_SECRET]
        harness.registerAllowedMethod('emailext') { Map spec -> null }
        harness.registerAllowedMethod('slackSend') { Map spec -> slackSent << spec; null }
        harness.registerAllowedMethod('junit') { Map spec -> null }
    }

    @Test
    void 'a success goes through slackSend with one line per region, links, and an aligned plain-text email'() {
        harness.run('ssmMultiRegionBackup', options)

        assertEquals(1, slackSent.size())
        Map slack = slackSent[0]
        assertEquals(['message', 'attachments', 'failOnError', 'channel'], slack.keySet().toList())
        assertEquals(':white_check_mark: SSM backup dev: SUCCESS - 2/2 regions, 24 parameters in 2m 5s', slack.message)
        assertEquals('#infra-alerts', slack.channel)
        List blocks = slack.attachments[0].blocks
        assertEquals(':white_check_mark: `us-west-2` *SUCCESS* · 12 parameters (+2 -0 ~1 since the previous backup) · 4m 12s',
                blocks[1].text.text.split('\n')[1])
        String build = harness.env.BUILD_URL
        String report = "${build}artifact/ssm-backup-work/report"
        // the status view the build archived is linked from Slack (and the email) too
        assertEquals(("<${build}|Admin_Jobs/ssm-multi-region-backup #42> · <${build}artifact/ssm-backup-work/region_summaries.json|region_summaries.json> · " +
                "<${report}/parameters.svg|Parameter chart> · <${report}/status.html|Status page> · <${RUNBOOK}|Runbook>").toString(),
                blocks[2].elements[0].text)
        assertTrue(engine.webhookPosts.empty)
        Map mail = harness.calls('emailext')[0].namedArgs
        assertEquals('[OK] SSM backup dev - Admin_Jobs/ssm-multi-region-backup #42', mail.subject)
        assertEquals('text/plain', mail.mimeType)
        List<String> body = mail.body.split('\n')
        assertEquals('SSM backup dev: SUCCESS - 2/2 regions, 24 parameters in 2m 5s', body[0])
        assertEquals('REGION          STATUS   PARAMETERS  CHANGE    TIME    ARCHIVE / CAUSE', body[2])
        assertEquals('Runbook:                                 ' + RUNBOOK, body[-1])
        assertTrue(mail.body, mail.body.contains("${report}/parameters.svg") && mail.body.contains("${report}/status.html"))
    }

    @Test
    void 'on failure the cause appears once in Slack and in the email'() {
        engine.regions = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
        engine.failures['us-west-2'] = 'Refusing to upload 3 parameters: the previous backup had 12 (guard)'
        engine.categories['us-west-2'] = 'guard'

        runFailing('ssmMultiRegionBackup', options)

        String slack = slackSent[0].toString()
        // the preview (message and its fallback) names the cause, and the region's line; never a separate Cause block
        assertEquals(4, slack.split('Refusing to upload 3 parameters', -1).length)
        assertTrue(slack.contains(':black_square_button: `eu-west-1` *SKIPPED* · not started: us-west-2 failed'))
        Map mail = harness.calls('emailext')[0].namedArgs
        assertEquals('[FAIL] SSM backup dev - Admin_Jobs/ssm-multi-region-backup #42', mail.subject)
        assertEquals(2, mail.body.split('Refusing to upload 3 parameters', -1).length)
    }

    @Test
    void 'a dry run is marked DRY RUN in Slack and in the email subject'() {
        harness.run('ssmMultiRegionBackup', options + [dryRun: true])

        assertTrue(slackSent[0].message, slackSent[0].message.startsWith('[DRY RUN] :white_check_mark: SSM backup dev: SUCCESS'))
        assertEquals('[DRY RUN] [OK] SSM backup dev - Admin_Jobs/ssm-multi-region-backup #42', harness.calls('emailext')[0].namedArgs.subject)
    }

    @Test
    void 'without the Slack plugin the webhook credential is the fallback, bound to SLACK_WEBHOOK_URL only'() {
        harness.steps.remove('slackSend')
        harness.run('ssmMultiRegionBackup', options + [slackWebhookCredentialsId: 'ssm-backup-slack-webhook'])

        assertEquals(1, engine.webhookPosts.size())
        Map posted = engine.webhookPosts[0]
        assertEquals(WEBHOOK, posted.SLACK_WEBHOOK_URL)
        assertEquals(engine.engineCalls('notify')[0].env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' },
                posted.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        assertEquals([$class: 'StringBinding', credentialsId: 'ssm-backup-slack-webhook', variable: 'SLACK_WEBHOOK_URL'],
                harness.calls('withCredentials')[-1].args[0][0])
        assertTrue(harness.log.toString().contains("NOTE: slackSend did not send the message; using the webhook credential 'ssm-backup-slack-webhook': the plugin is not installed"))
    }

    @Test
    void 'a slackSend failure falls back to the webhook, and neither configured is a warning, never a failure'() {
        harness.registerAllowedMethod('slackSend') { Map spec -> throw new hudson.AbortException('Slack notification failed') }
        harness.run('ssmMultiRegionBackup', options + [slackWebhookCredentialsId: 'ssm-backup-slack-webhook'])
        assertEquals(1, engine.webhookPosts.size())

        setUpHarness()
        plugins()
        harness.steps.remove('slackSend')
        harness.run('ssmMultiRegionBackup', options)
        assertEquals(null, harness.currentBuild.result)
        assertTrue(harness.log.toString().contains('WARNING: slackSend did not send the message: the plugin is not installed'))
        assertTrue(engine.webhookPosts.empty)
    }

    @Test
    void 'a failing webhook or a missing credential or email plugin is a warning, not a failure'() {
        harness.steps.remove('slackSend')
        harness.steps.remove('emailext')
        engine.notifyStatus = 1
        harness.run('ssmMultiRegionBackup', options + [slackWebhookCredentialsId: 'ssm-backup-slack-webhook'])
        String log = harness.log.toString()
        assertTrue(log.contains('WARNING: Slack notification failed: Slack webhook answered HTTP 500 after 2 attempts'))
        assertTrue(log, log.contains('WARNING: email not sent (is the Email Extension plugin installed?): the plugin is not installed'))

        setUpHarness()
        plugins()
        harness.steps.remove('slackSend')
        harness.credentials.remove('ssm-backup-slack-webhook')
        harness.run('ssmMultiRegionBackup', options + [slackWebhookCredentialsId: 'ssm-backup-slack-webhook'])
        assertEquals(null, harness.currentBuild.result)
        assertTrue(harness.log.toString().contains("WARNING: Slack notification not sent (credential 'ssm-backup-slack-webhook'): " +
                "Could not find credentials entry with ID 'ssm-backup-slack-webhook'"))
    }

    @Test
    void 'without Slack or email options nothing is sent'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertTrue(slackSent.empty)
        assertTrue(harness.calls('emailext').empty)
        assertTrue(engine.webhookPosts.empty)
    }

    @Test
    void 'the JUnit XML has one case per region, recorded with the junit step without it marking the build'() {
        engine.regions = ['ap-northeast-1', 'us-west-2', 'eu-west-1', 'eu-central-1']
        engine.failures['us-west-2'] = 'AccessDenied: not authorized'
        engine.timeouts << 'ap-northeast-1'

        runFailing('ssmMultiRegionBackup', options + [failFast: false])
        assertEquals([[testResults: 'ssm-backup-work/report/junit.xml', allowEmptyResults: true, skipMarkingBuildUnstable: true]],
                harness.calls('junit')*.args*.getAt(0))
        String xml = junitXml()
        assertTrue(xml, xml.contains('<testsuite name="ssm-backup.dev" tests="4" failures="2" errors="0" skipped="0"'))
        assertTrue(xml.contains('name="ap-northeast-1" time="600.000">\n      <failure type="TIMED_OUT" message="Stopped at the 600s deadline'))
        assertTrue(xml.contains('name="us-west-2" time="0.400">\n      <failure type="FAILED" message="AccessDenied: not authorized">'))
        assertTrue(xml.contains('name="eu-west-1" time="252.320">\n      <system-out>status=SUCCESS\nparameters=12\nchange=+2 -0 ~1 (previous 10)\n'))

        setUpHarness()
        plugins()
        engine.failures['us-west-2'] = 'AccessDenied: not authorized'
        runFailing('ssmMultiRegionBackup', options)
        assertTrue(junitXml().contains('name="us-west-2" time="0.400">\n      <failure type="FAILED"'))
        assertTrue(junitXml().contains('<testsuite name="ssm-backup.dev" tests="2" failures="1" errors="0" skipped="0"'))

        setUpHarness()
        plugins()
        engine.regions = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
        engine.failures['ap-northeast-1'] = 'x'
        runFailing('ssmMultiRegionBackup', options)
        assertTrue(junitXml().contains('name="eu-west-1" time="0.000">\n      <skipped message="not started: ap-northeast-1 failed'))

        setUpHarness()
        plugins()
        harness.run('ssmMultiRegionBackup', options + [dryRun: true])
        assertTrue(junitXml().contains('<testsuite name="ssm-backup.dev (dry run)" tests="2" failures="0" errors="0" skipped="0"'))
        assertTrue(junitXml().contains('dryRun=true (nothing uploaded)'))
    }

    @Test
    void 'without the JUnit plugin the report is still written and the log says so once'() {
        harness.steps.remove('junit')
        harness.run('ssmMultiRegionBackup', options)

        assertEquals(1, harness.log.toString().split('the JUnit plugin is not installed', -1).length - 1)
        assertTrue(junitXml().contains('<testcase '))
    }

    @Test
    void 'no secret reaches a step argument, a shell script or the log'() {
        harness.steps.remove('slackSend')
        engine.failures['us-west-2'] = 'Bucket definition missing for us-west-2'
        runFailing('ssmMultiRegionBackup', options + [slackWebhookCredentialsId: 'ssm-backup-slack-webhook', slackChannel: '#ops; rm -rf /', path: '/app/$(id)'])

        String everything = harness.allArgumentsText() + harness.log
        for (String secret in [WEBHOOK, 's3cr3tT0k3n', AWS_SECRET]) {
            assertFalse("secret ${secret} leaked", everything.contains(secret))
        }
        // every shell script is one of the library's constant strings: user values travel only in the environment
        String deadline = 'timeout -k 30 "$SSM_ENGINE_DEADLINE_SEC" '
        assertEquals(['command -v node', deadline + 'node "$SSM_ENGINE_CJS" plan', deadline + 'node "$SSM_ENGINE_CJS" backup',
                      deadline + 'node "$SSM_ENGINE_CJS" status', deadline + 'node "$SSM_ENGINE_CJS" notify'],
                harness.calls('sh')*.namedArgs*.script*.replaceAll(/^command -v node.*/, 'command -v node').unique())
        assertEquals('#ops; rm -rf /', engine.webhookPosts[0].SSM_BACKUP_CHANNEL)
    }
}
