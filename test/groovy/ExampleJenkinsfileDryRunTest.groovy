import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.junit.AfterClass
import org.junit.Before
import org.junit.BeforeClass
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import testsupport.HarnessScript
import testsupport.LocalAws
import testsupport.LocalSlack
import testsupport.OrderedJson
import testsupport.PipelineHarness
import testsupport.PipelineTestCase
import testsupport.ShCall

/**
 * The design's dry-run integration test: examples/Jenkinsfile, as the Admin job runs it, in dry-run mode, with every sh
 * executed for real (the committed engine bundle against the local AWS) and the Slack webhook pointed at a local HTTP
 * server started here (127.0.0.1, ephemeral port). slackSend is not installed, so the engine posts to the webhook bound
 * from BACKUP_SLACK_CREDENTIALS_ID. What Slack receives is saved to tests/output/slack_payload.json (git-ignored).
 */
class ExampleJenkinsfileDryRunTest {
    static final File BUNDLE = new File(PipelineHarness.ROOT, 'resources/ssm-multi-region-backup/ssm-backup.cjs')
    static final File PAYLOAD = new File(PipelineHarness.ROOT, 'tests/output/slack_payload.json')
    static final List<String> REGIONS = SsmMultiRegionBackupEndToEndTest.REGIONS

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
        aws = new LocalAws(SsmMultiRegionBackupEndToEndTest.seed(), shared.root)
        slack = new LocalSlack()
    }

    @AfterClass
    static void stopServices() {
        aws?.stop()
        slack?.stop()
    }

    @Before
    void setUpHarness() {
        harness = new PipelineHarness(tmp.newFolder('workspace'))
        harness.processEnv.putAll(aws.agentEnv(SsmMultiRegionBackupEndToEndTest.HOME))
        harness.shHandler = { ShCall call -> harness.runForReal(call) }
        harness.registerAllowedMethod('junit') { Map spec -> null }
        harness.credentials['ssm-backup-slack-webhook'] = slack.url('/services/T000/B000/dryRunT0k3n')
        harness.env.BACKUP_SLACK_CREDENTIALS_ID = 'ssm-backup-slack-webhook'
        slack.received.clear()
    }

    /** Runs examples/Jenkinsfile with the job's parameters; returns what it threw, or null. */
    Throwable runJenkinsfile(String environment) {
        harness.params.putAll(ENVIRONMENT: environment, DRY_RUN: true, AGENT_LABEL: '')
        CompilerConfiguration config = new CompilerConfiguration(scriptBaseClass: HarnessScript.name)
        config.addCompilationCustomizers(new ImportCustomizer().addImports('org.jenkinsci.plugins.workflow.libs.Library'))
        try {
            new GroovyShell(HarnessScript.classLoader, harness.binding, config).evaluate(new File(PipelineHarness.ROOT, 'examples/Jenkinsfile'))
        } catch (Throwable thrown) {
            return thrown
        }
        return null
    }

    /** The one message Slack received, saved to tests/output/slack_payload.json. */
    Map payload() {
        assertEquals(harness.log.toString(), 1, slack.received.size())
        PAYLOAD.parentFile.mkdirs()
        PAYLOAD.setText(slack.received[0], 'UTF-8')
        (Map) OrderedJson.parse(PAYLOAD.getText('UTF-8'))
    }

    static String regionLines(Map message) { message.attachments[0].blocks[1].text.text }

    Map summaries() { (Map) OrderedJson.parse(new File(harness.workspace, 'ssm-backup-work/region_summaries.json').text) }

    @Test
    void 'a dry run of the example Jenkinsfile posts each region with its status and parameter count'() {
        assertEquals(null, runJenkinsfile('dev'))

        Map message = payload()
        Map written = summaries()
        assertEquals(REGIONS, written.keySet().toList())
        assertTrue(message.text, message.text.startsWith('[DRY RUN] :white_check_mark: SSM backup dev: SUCCESS - 3/3 regions, '))
        List<String> lines = regionLines(message).split('\n').toList()
        assertEquals(REGIONS.size(), lines.size())
        REGIONS.eachWithIndex { String region, int i ->
            assertEquals('SUCCESS', written[region].status)
            assertTrue(written[region].parameterCount >= 3)
            assertTrue(lines[i], lines[i].startsWith(":white_check_mark: `${region}` *SUCCESS* · ${written[region].parameterCount} parameters"))
        }
        assertEquals(PipelineTestCase.linked('DRY RUN OK 3/3 regions, ' + REGIONS.sum { written[it].parameterCount } + ' parameters'), harness.currentBuild.description)
        assertFalse(slack.received[0].contains(SsmMultiRegionBackupEndToEndTest.SECRET))
    }

    @Test
    void 'a region failing in the middle stops the later ones, and the payload names it and its cause'() {
        Throwable thrown = runJenkinsfile('qa')

        assertTrue(String.valueOf(thrown?.message), thrown?.message?.startsWith('DRY RUN FAILED us-west-2: Bucket definition missing for us-west-2'))
        Map written = summaries()
        assertEquals(['SUCCESS', 'FAILED', 'SKIPPED'], REGIONS.collect { written[it].status })
        assertEquals(['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], harness.stageResults)
        // eu-west-1 did not run: the engine skipped it from the failure it had recorded (fail-fast)
        assertTrue(written['eu-west-1'].failureMessage.startsWith('not started: us-west-2 failed (fail-fast'))
        Map message = payload()
        // The preview names the failed region and its cause (issue 23); the attachment's first block keeps result and totals.
        assertTrue(message.text, message.text.startsWith('[DRY RUN] :x: SSM backup qa: FAILED us-west-2: Bucket definition missing for us-west-2'))
        assertTrue(message.attachments[0].blocks[0].text.text, message.attachments[0].blocks[0].text.text.contains('FAILURE - 1/3 regions'))
        List<String> lines = regionLines(message).split('\n').toList()
        assertTrue(lines[0], lines[0].startsWith(':white_check_mark: `ap-northeast-1` *SUCCESS* · '))
        assertTrue(lines[1], lines[1].startsWith(':x: `us-west-2` *FAILED* · 0 parameters'))
        assertTrue(lines[1], lines[1].contains('Bucket definition missing for us-west-2'))
        assertEquals(':black_square_button: `eu-west-1` *SKIPPED* · not started: us-west-2 failed (fail-fast; --no-fail-fast backs up every region)', lines[2])
    }
}
