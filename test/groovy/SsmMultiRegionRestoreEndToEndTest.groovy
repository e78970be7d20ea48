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
import testsupport.PipelineHarness
import testsupport.ShCall

/**
 * ssmMultiRegionRestore end to end: the committed engine bundle backs up us-west-2 of the local AWS emulator, then
 * the step (every sh run for real) restores that archive into eu-west-1 with a KMS key map: the disaster-recovery path.
 */
class SsmMultiRegionRestoreEndToEndTest {
    static final File BUNDLE = new File(PipelineHarness.ROOT, 'resources/ssm-multi-region-backup/ssm-backup.cjs')
    static final String HOME = 'ap-northeast-1'
    static final String SOURCE = 'us-west-2'
    static final String DR = 'eu-west-1'
    static final String SECRET = 'S3cr3t-restore-e2e'

    @ClassRule
    public static TemporaryFolder shared = new TemporaryFolder()
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    static LocalAws aws
    PipelineHarness harness

    @BeforeClass
    static void startAndBackUp() {
        assertTrue("${BUNDLE} is missing: run `node scripts/build.mjs` (the bundle is committed)".toString(), BUNDLE.file)
        aws = new LocalAws(seed(), shared.root)
        ProcessBuilder backup = new ProcessBuilder('node', BUNDLE.path, 'backup', '--environment', 'dev', '--regions', SOURCE, '--include-tags',
                '--work-dir', shared.newFolder('backup-work').path).redirectErrorStream(true)
        backup.environment().putAll(aws.agentEnv(HOME))
        Process started = backup.start()
        String output = started.inputStream.getText('UTF-8')
        assertEquals(output, 0, started.waitFor())
    }

    @AfterClass
    static void stopServices() {
        aws?.stop()
    }

    static Map seed() {
        String bucketName = 'e2e-restore-dev-us-west-2'
        [kmsKeys: [(SOURCE): [[keyId: 'k-app', aliases: ['alias/app-secrets']]], (DR): [[keyId: 'k-dr', aliases: ['alias/dr-secrets']]]],
         buckets: [(SOURCE): [[name: bucketName, requireSse: true]]],
         ssm: [(HOME): [[Name: '/jenkins/dev/backup/region-list', Value: '["us-west-2"]', Type: 'String'],
                        [Name: '/jenkins/dev/backup/default-region', Value: SOURCE, Type: 'String']],
               (SOURCE): [[Name: '/jenkins/dev/backup/us-west-2/s3-bucket-name', Value: bucketName, Type: 'String'],
                          [Name: '/app/db/host', Value: 'db.internal', Type: 'String', Description: 'host', Tags: [[Key: 'team', Value: 'a']]],
                          [Name: '/app/db/password', Value: SECRET, Type: 'SecureString', KeyId: 'alias/app-secrets'],
                          [Name: '/app/hosts', Value: 'a,b', Type: 'StringList', Tier: 'Advanced']]]]
    }

    @Before
    void setUpHarness() {
        harness = new PipelineHarness(tmp.newFolder('workspace'))
        harness.processEnv.putAll(aws.agentEnv(HOME))
        harness.shHandler = { ShCall call -> harness.runForReal(call) }
        harness.registerAllowedMethod('input') { Map spec -> null }
    }

    List<Map> parametersIn(String region) {
        Map state = new JsonSlurper().parse(new URL("${aws.endpoint}/__local/state"))
        (state.ssm[region] ?: []).findAll { it.Name.startsWith('/app/') }
    }

    @Test
    void 'plans, is approved and restores the archive into another region with the key map'() {
        Map summary = harness.run('ssmMultiRegionRestore', [environment: 'dev', region: SOURCE, targetRegion: DR, path: '/app',
                kmsKeyMap: 'alias/app-secrets=alias/dr-secrets', dryRun: false, putRate: 50])

        assertEquals(harness.log.toString(), ['Restore Plan', 'Approval', 'Restore Apply'], harness.stages)
        assertEquals(['/app/db/host', '/app/db/password', '/app/hosts'], summary.created)
        assertEquals('RESTORED us-west-2 -> eu-west-1: created 3, updated 0', harness.currentBuild.description)
        List<Map> restored = parametersIn(DR)
        assertEquals(3, restored.size())
        Map password = restored.find { it.Name == '/app/db/password' }
        assertEquals([SECRET, 'SecureString', 'alias/dr-secrets'], [password.Value, password.Type, password.KeyId])
        assertEquals('Advanced', restored.find { it.Name == '/app/hosts' }.Tier)
        assertEquals([[Key: 'team', Value: 'a']], restored.find { it.Name == '/app/db/host' }.Tags)
        String archived = new File(harness.workspace, 'ssm-backup-work/restore_summary.json').text
        assertFalse('a parameter value reached the log or the summary', (harness.log.toString() + archived).contains(SECRET))
    }

    @Test
    void 'a missing KMS key in the target region fails the plan and writes nothing'() {
        try {
            harness.run('ssmMultiRegionRestore', [environment: 'dev', region: SOURCE, targetRegion: 'eu-central-1', dryRun: false, autoApprove: true])
        } catch (hudson.AbortException expected) {
            assertTrue(expected.message, expected.message.startsWith('Restore plan failed: KMS key alias/app-secrets does not exist in eu-central-1'))
        }
        assertEquals(['Restore Plan'], harness.stages)
        assertTrue(harness.currentBuild.description, harness.currentBuild.description.startsWith('FAILED restore: Restore plan failed: KMS key alias/app-secrets'))
        assertEquals([], parametersIn('eu-central-1'))
    }
}
