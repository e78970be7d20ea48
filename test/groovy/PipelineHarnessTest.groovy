import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue
import static org.junit.Assert.fail

import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import testsupport.PipelineHarness
import testsupport.ShCall

/** The pipeline harness's model of agents and of real processes, which the end-to-end tests rely on. */
class PipelineHarnessTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    PipelineHarness harness

    @Before
    void setUp() {
        harness = new PipelineHarness(tmp.newFolder('workspace'))
        harness.shHandler = { ShCall call -> harness.runForReal(call) }
    }

    Object step(String name, Object... args) { harness.invokeStep(name, args) }

    @Test
    void 'a node has a fresh workspace: a file of another node is there only when stashed and unstashed, as a copy'() {
        File first = null
        step('node', 'ssm') {
            first = harness.here()
            step('writeFile', [file: 'work/plan.json', text: '{"a":1}'])
            step('stash', [name: 'plan', includes: 'work/plan.json'])
        }
        step('node', 'ssm') {
            assertFalse(step('fileExists', 'work/plan.json') as boolean)
            step('unstash', 'plan')
            assertEquals('{"a":1}', step('readFile', 'work/plan.json'))
            step('writeFile', [file: 'work/plan.json', text: 'changed'])
        }
        assertEquals('{"a":1}', new File(first, 'work/plan.json').text)
    }

    @Test
    void 'a real sh naming the workspace of another node is refused: it would run here and fail on an agent'() {
        String firstPlan = null
        step('node', 'ssm') { firstPlan = "${harness.here()}/work/plan.json" }
        step('node', 'ssm') {
            try {
                step('withEnv', ["PLAN=${firstPlan}".toString()]) { step('sh', 'test -n "$PLAN"') }
                fail('the path of another node was accepted')
            } catch (AssertionError expected) {
                assertTrue(expected.message, expected.message.contains('a workspace of another node: ' + firstPlan))
            }
            step('withEnv', ["PLAN=${harness.here()}/work/plan.json".toString()]) { step('sh', 'test -n "$PLAN"') }
        }
    }

    @Test
    void 'an aborted real sh: every process of the script gets SIGTERM and ended, then the step throws InterruptedException'() {
        File pidFile = new File(tmp.root, 'child.pid')
        ShCall call = new ShCall(script: "sleep 60 & echo \$! > '${pidFile}'; wait".toString(), env: [:])
        long started = System.nanoTime()
        try {
            harness.runForReal(call) { pidFile.file && pidFile.text.trim() }
            fail('the aborted sh returned')
        } catch (InterruptedException expected) {
            assertTrue(expected.message, expected.message.startsWith('sh aborted: sleep 60 &'))
        }
        assertTrue('the abort waited for the script', System.nanoTime() - started < 20_000_000_000L)
        assertFalse('the child process outlived the abort', ProcessHandle.of(pidFile.text.trim() as long).map { it.alive }.orElse(false))
    }
}
