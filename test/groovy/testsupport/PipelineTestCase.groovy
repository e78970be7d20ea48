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
        harness.registerAllowedMethod('catchError') { Map spec, Closure body ->
            try {
                body()
            } catch (hudson.AbortException e) {
                harness.currentBuild.result = spec.buildResult
            }
        }
        if (!BUNDLE.file) {
            // Unit tests only need the launcher to write *a* bundle; the end-to-end tests need the real one.
            harness.registerAllowedMethod('libraryResource') { String path -> '// engine bundle not built yet' }
        }
    }

    /** Runs a library step expecting it to fail; returns the error. */
    Throwable runFailing(String step, Map args) {
        try {
            harness.run(step, args)
        } catch (Throwable t) {
            return t
        }
        throw new AssertionError("${step} was expected to fail but succeeded")
    }
}
