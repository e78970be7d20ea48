package testsupport

import org.junit.Before
import org.junit.Rule
import org.junit.rules.TemporaryFolder

/** Base of the step tests: a fresh harness and workspace per test, sh answered by a FakeEngine. */
abstract class PipelineTestCase {
    static final File BUNDLE = new File(PipelineHarness.ROOT, 'resources/ssm-multi-region-backup/ssm-backup.cjs')

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    PipelineHarness harness
    FakeEngine engine

    @Before
    void setUpHarness() {
        engine = new FakeEngine()
        harness = new PipelineHarness(tmp.newFolder())
        harness.shHandler = { ShCall call -> engine.handle(call) }
        engine.runForReal = { ShCall call -> harness.runForReal(call) }
        if (!BUNDLE.file) {
            // Unit tests of the launcher only need *a* bundle; reports and the end-to-end tests need the real one.
            harness.registerAllowedMethod('libraryResource') { String path -> '// engine bundle not built yet' }
        }
    }

    /** The harness build's artifacts (BUILD_URL + artifact/). */
    static final String ARTIFACTS = 'https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/artifact/'

    /**
     * A backup's build description: the report's, then the links to the status view ssmBackupStatus wrote (the default
     * descriptionFormat, text).
     */
    static String linked(String description) {
        "${description} | chart: ${ARTIFACTS}ssm-backup-work/report/parameters.svg | status: ${ARTIFACTS}ssm-backup-work/report/status.html"
    }

    /** The report.json the engine rendered last (ssm-backup-work/report/report.json). */
    Map report() { (Map) OrderedJson.parse(new File(harness.workspace, 'ssm-backup-work/report/report.json').text) }

    String junitXml() { new File(harness.workspace, 'ssm-backup-work/report/junit.xml').text }

    /** Runs a library step expecting it to fail; returns the error. */
    Throwable runFailing(String step, Map args) {
        try {
            harness.run(step, args)
        } catch (Throwable t) {
            return t
        }
        throw new AssertionError((Object) "${step} was expected to fail but succeeded: ${harness.log}")
    }
}
