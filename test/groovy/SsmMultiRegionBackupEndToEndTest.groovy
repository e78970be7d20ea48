import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import groovy.json.JsonSlurper
import org.junit.AfterClass
import org.junit.Before
import org.junit.BeforeClass
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import testsupport.LocalAws
import testsupport.LocalSlack
import testsupport.OrderedJson
import testsupport.PipelineHarness
import testsupport.ShCall

/**
 * ssmMultiRegionBackup end to end: the harness runs the step with every sh executed for real, so the committed
 * engine bundle (resources/) backs up parameters from the local AWS emulator, and Slack is a local HTTP server.
 */
class SsmMultiRegionBackupEndToEndTest {
    static final File BUNDLE = new File(PipelineHarness.ROOT, 'resources/ssm-multi-region-backup/ssm-backup.cjs')
    static final String HOME = 'ap-northeast-1'
    static final List<String> REGIONS = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
    static final String SECRET = 'S3cr3t-e2e-value'
    static final String WEBHOOK_PATH = '/services/T000/B000/e2eS3cr3tT0k3n'

    @ClassRule
    public static TemporaryFolder shared = new TemporaryFolder()
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    static LocalAws aws
    static LocalSlack slack
    PipelineHarness harness

    @BeforeClass
    static void startServices() {
        assertTrue("${BUNDLE} is missing: run `node scripts/build.mjs` (the bundle is committed)".toString(), BUNDLE.file)
        aws = new LocalAws(seed(), shared.root)
        slack = new LocalSlack()
    }

    @AfterClass
    static void stopServices() {
        aws?.stop()
        slack?.stop()
    }

    /** dev: every region configured; qa: the bucket definition of us-west-2 is missing; enc: a backup KMS key in HOME only. */
    static Map seed() {
        Map ssm = REGIONS.collectEntries { [(it): []] }
        Map buckets = REGIONS.collectEntries { [(it): []] }
        ssm[HOME] << [Name: "/jenkins/enc/backup/${HOME}/kms-key-arn".toString(), Value: "arn:aws:kms:${HOME}:123456789012:alias/ssm-backup".toString(), Type: 'String']
        for (String env in ['dev', 'qa', 'enc']) {
            ssm[HOME] << [Name: "/jenkins/${env}/backup/region-list".toString(), Value: '["ap-northeast-1","us-west-2","eu-west-1"]', Type: 'String']
            ssm[HOME] << [Name: "/jenkins/${env}/backup/default-region".toString(), Value: HOME, Type: 'String']
            ssm[HOME] << [Name: "/jenkins/${env}/backup/s3-bucket-name".toString(), Value: bucket(env, HOME), Type: 'String']
            REGIONS.findAll { !(env == 'qa' && it == 'us-west-2') }.each { String region ->
                ssm[region] << [Name: "/jenkins/${env}/backup/${region}/s3-bucket-name".toString(), Value: bucket(env, region), Type: 'String']
                buckets[region] << [name: bucket(env, region), requireSse: true, settings: stackSettings(bucket(env, region))]
                if (env != 'enc') {   // dev and qa as the stack sets them up: a backup key in every region (format 2, no warning)
                    ssm[region] << [Name: "/jenkins/${env}/backup/${region}/kms-key-arn".toString(),
                                    Value: "arn:aws:kms:${region}:123456789012:alias/ssm-backup".toString(), Type: 'String']
                }
            }
        }
        REGIONS.each { String region ->
            ssm[region] << [Name: "/app/${region}/db/host".toString(), Value: "db.${region}.internal".toString(), Type: 'String']
            ssm[region] << [Name: "/app/${region}/db/password".toString(), Value: "${SECRET}-${region}".toString(), Type: 'SecureString']
            ssm[region] << [Name: "/app/${region}/hosts".toString(), Value: 'a.example.com,b.example.com', Type: 'StringList']
        }
        [ssm: ssm, buckets: buckets, kmsKeys: REGIONS.collectEntries { [(it): [[keyId: "backup-key-${it}".toString(), aliases: ['alias/ssm-backup'], enabled: true]]] }]
    }

    static String bucket(String env, String region) { "e2e-ssm-backup-${env}-${region}".toString() }

    /**
     * What the Pulumi stack sets on a bucket (versioning, public access block, a policy denying non-TLS and unencrypted
     * writes, a 90-day lifecycle), as local-aws seed `settings` (PUT bodies), so `check` and a dry run find a sound setup.
     */
    static Map stackSettings(String name) {
        String arn = "arn:aws:s3:::${name}"
        Map policy = [Version: '2012-10-17', Statement: [
                [Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, "${arn}/*".toString()],
                 Condition: [Bool: ['aws:SecureTransport': 'false']]],
                [Sid: 'DenyPutObjectWithoutSSES3', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: "${arn}/*".toString(),
                 Condition: [StringNotEquals: ['s3:x-amz-server-side-encryption': 'AES256']]]]]
        [versioning: '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
         publicAccessBlock: '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>' +
                 '<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
         policy: groovy.json.JsonOutput.toJson(policy),
         lifecycle: '<LifecycleConfiguration><Rule><ID>expire-backups</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>90</Days>' +
                 '</Expiration></Rule></LifecycleConfiguration>']
    }

    @Before
    void setUpHarness() {
        harness = new PipelineHarness(tmp.newFolder('workspace'))
        harness.processEnv.putAll(aws.agentEnv(HOME))
        harness.shHandler = { ShCall call -> harness.runForReal(call) }
        harness.credentials['slack-webhook'] = slack.url(WEBHOOK_PATH)
        slack.received.clear()
    }

    Map writtenSummaries() {
        (Map) OrderedJson.parse(new File(harness.workspace, 'ssm-backup-work/region_summaries.json').text)
    }

    @Test
    void 'backs up every configured region in order with the real engine'() {
        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Backup eu-west-1', 'Finalize Report'], harness.stages)
        String artifacts = "${harness.env.BUILD_URL}artifact/ssm-backup-work/report"
        assertTrue(harness.currentBuild.description, harness.currentBuild.description ==~
                /OK 3\/3 regions, [0-9,]+ parameters \| chart: ${artifacts}\/parameters.svg \| status: ${artifacts}\/status.html/)
        Map written = writtenSummaries()
        assertEquals(REGIONS, written.keySet().toList())
        REGIONS.each { String region ->
            assertEquals(harness.log.toString(), 'SUCCESS', written[region].status)
            assertTrue(written[region].parameterCount >= 3)
            assertTrue(written[region].artifactPath.toString(), written[region].artifactPath.startsWith("s3://${bucket('dev', region)}/"))
        }
        assertEquals(written, summaries)
        assertFalse('a parameter value reached the report or the log', (new File(harness.env.REGION_SUMMARY_PATH).text + harness.log).contains(SECRET))
    }

    @Test
    void 'the real engine writes the status chart (SVG) and page (HTML) that the build page archives and links'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev'])

        File svg = new File(harness.workspace, 'ssm-backup-work/report/parameters.svg')
        File html = new File(harness.workspace, 'ssm-backup-work/report/status.html')
        assertTrue(harness.log.toString(), svg.file && html.file)
        assertTrue(svg.text, svg.text.startsWith('<svg') || svg.text.startsWith('<?xml'))
        REGIONS.each { String region ->
            assertTrue("${region} is a series of the chart", svg.text.contains(region))
            assertTrue("${region} is a row of the page", html.text.contains(region))
        }
        assertFalse('no script in the chart or the page', (svg.text + html.text).toLowerCase().contains('<script'))
        assertTrue(html.text, html.text.contains('OK'))
        assertFalse('a parameter value reached the view', (svg.text + html.text).contains(SECRET))
        assertEquals(harness.log.toString(), [], harness.log.readLines().findAll { it.startsWith('WARNING') || it.startsWith('NOTE: status') })
        List<String> csv = new File(harness.workspace, 'ssm-backup-work/report/plot-parameters.csv').readLines()
        assertEquals(REGIONS.join(','), csv[0])
        assertEquals(REGIONS.collect { String.valueOf(writtenSummaries()[it].parameterCount) }.join(','), csv[1])
    }

    @Test
    void 'a failure in the second region stops the run and records the cause'() {
        Throwable error = null
        try {
            harness.run('ssmMultiRegionBackup', [environment: 'qa'])
        } catch (hudson.AbortException e) {
            error = e
        }

        assertTrue(String.valueOf(error?.message), error?.message?.startsWith('FAILED us-west-2: Bucket definition missing for us-west-2'))
        assertEquals(['Initialize', 'Backup ap-northeast-1', 'Backup us-west-2', 'Backup eu-west-1', 'Finalize Report'], harness.stages)
        assertEquals(['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], harness.stageResults)
        Map written = writtenSummaries()
        assertEquals(['SUCCESS', 'FAILED', 'SKIPPED'], REGIONS.collect { written[it].status })
        assertTrue(written['us-west-2'].failureMessage.startsWith('Bucket definition missing for us-west-2'))
        assertEquals('FAILURE', harness.currentBuild.result)
    }

    @Test
    void 'dry run counts every region and uploads nothing'() {
        harness.run('ssmMultiRegionBackup', [environment: 'dev', dryRun: true, regions: 'us-west-2'])

        Map written = writtenSummaries()
        assertEquals(['us-west-2'], written.keySet().toList())
        assertEquals('SUCCESS', written['us-west-2'].status)
        assertTrue(written['us-west-2'].parameterCount >= 3)
        assertEquals(null, written['us-west-2'].artifactPath)
    }

    @Test
    void 'the Slack payload carries the per-region summary, the failed region and its cause'() {
        harness.registerAllowedMethod('junit') { Map spec -> null }
        try {
            harness.run('ssmMultiRegionBackup', [environment: 'qa', slackWebhookCredentialsId: 'slack-webhook'])
        } catch (hudson.AbortException expected) {
            assertTrue(expected.message.startsWith('FAILED us-west-2: '))
        }

        assertEquals(harness.log.toString(), 1, slack.received.size())
        String payload = slack.received[0]
        Map message = new JsonSlurper().parseText(payload)
        assertTrue(message.text, message.text.startsWith(':x: SSM backup qa: FAILED us-west-2: Bucket definition missing for us-west-2; last success '))
        assertTrue(payload.contains('`ap-northeast-1` *SUCCESS*'))
        assertTrue(payload.contains('`us-west-2` *FAILED*'))
        assertTrue(payload.contains('`eu-west-1` *SKIPPED*'))
        assertEquals(4, payload.split('Bucket definition missing for us-west-2', -1).length)   // preview, fallback, region line
        assertTrue(payload.contains(harness.env.BUILD_URL))
        assertFalse(payload.contains(SECRET))
        assertFalse(harness.log.toString().contains('e2eS3cr3tT0k3n'))
    }

    @Test
    void 'requireClientEncryption with a key in the first region only: the refused regions are FAILED with the cause, never OK'() {
        Throwable error = null
        try {
            harness.run('ssmMultiRegionBackup', [environment: 'enc', requireClientEncryption: true])
        } catch (hudson.AbortException e) {
            error = e
        }

        String refused = 'the engine exited with code 2: --require-client-encryption: no backup key for us-west-2'
        assertTrue(String.valueOf(error?.message), error?.message?.startsWith("FAILED us-west-2 (+1 more region(s) failed): ${refused}"))
        assertEquals(harness.log.toString(), ['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'FAILURE'], harness.stageResults)
        assertEquals('FAILURE', harness.currentBuild.result)
        Map written = writtenSummaries()
        assertEquals('SUCCESS', written[HOME].status)
        assertTrue(written[HOME].artifactPath.startsWith("s3://${bucket('enc', HOME)}/"))
        assertTrue(harness.log.toString().contains("eu-west-1 FAILED: the engine exited with code 2: --require-client-encryption: no backup key for eu-west-1"))
    }

    @Test
    void 'parallel: a failed region never stops the others, whatever the timing'() {
        try {
            harness.run('ssmMultiRegionBackup', [environment: 'qa', parallel: true])
        } catch (hudson.AbortException expected) {
            assertTrue(expected.message, expected.message.startsWith('FAILED us-west-2: Bucket definition missing for us-west-2'))
        }

        assertEquals(['SUCCESS', 'FAILED', 'SUCCESS'], REGIONS.collect { writtenSummaries()[it].status })
        assertEquals(['Backup us-west-2': 'FAILURE'], harness.stageResults)
        assertEquals('FAILURE', harness.currentBuild.result)
    }
}
