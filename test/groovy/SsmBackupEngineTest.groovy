import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue

import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.junit.Test
import testsupport.HarnessScript
import testsupport.PipelineTestCase
import testsupport.ShCall

/** The shared launcher vars/ssmBackupEngine.groovy, and the example Jenkinsfile that uses the library. */
class SsmBackupEngineTest extends PipelineTestCase {

    @Test
    void 'writes the bundled engine to the tmp dir and runs the command with the given environment'() {
        Map result = harness.step('ssmBackupEngine').call(command: 'plan', env: ["SSM_BACKUP_OUTPUT_FILE=${harness.workspace}/p.json".toString(), 'SSM_BACKUP_ENVIRONMENT=dev'])

        assertEquals([exitCode: 0, error: null, deadlineMinutes: null], result)
        String dir = "${harness.workspace}@tmp/ssm-backup/plan"
        assertEquals('ssm-multi-region-backup/ssm-backup.cjs', harness.calls('libraryResource')[0].args[0])
        Map written = harness.calls('writeFile')[0].namedArgs
        assertEquals("${dir}/ssm-backup.cjs".toString(), written.file)
        assertEquals(BUNDLE.file ? BUNDLE.text : '// engine bundle not built yet', written.text)
        ShCall plan = engine.engineCalls('plan')[0]
        assertEquals("${dir}/ssm-backup.cjs".toString(), plan.env.SSM_ENGINE_CJS)
        assertEquals("${dir}/error.json".toString(), plan.env.SSM_BACKUP_ERROR_FILE)
        assertEquals('dev', plan.env.SSM_BACKUP_ENVIRONMENT)
    }

    @Test
    void 'returns the error file of a failed command'() {
        engine.planError = [message: 'region-list is not a JSON array']

        Map result = harness.step('ssmBackupEngine').call(command: 'plan', env: ["SSM_BACKUP_OUTPUT_FILE=${harness.workspace}/p.json".toString()])

        assertEquals([exitCode: 2, error: [exitCode: 2, category: 'config', message: 'region-list is not a JSON array'], deadlineMinutes: null], result)
    }

    @Test
    void 'a crash without an error file still gives a message'() {
        harness.shHandler = { ShCall call -> call.script.startsWith('command -v') ? 0 : 134 }

        Map result = harness.step('ssmBackupEngine').call(command: 'backup')

        assertEquals([exitCode: 134, error: [message: 'engine exited with code 134'], deadlineMinutes: null], result)
    }

    @Test
    void 'refuses a command it does not know, so no value can reach the shell string'() {
        Throwable error = null
        try {
            harness.step('ssmBackupEngine').call(command: 'plan; rm -rf /')
        } catch (hudson.AbortException e) {
            error = e
        }
        assertEquals("ssmBackupEngine: unknown command 'plan; rm -rf /'; valid commands: plan, check, backup, merge-summaries, notify, restore, verify, list, diff, status", error.message)
        assertTrue(harness.calls('sh').empty)
    }

    @Test
    void 'a too old node names the nodejs option, with it the check runs inside the tool'() {
        engine.nodeCheckStatus = 3
        Throwable error = runFailingEngine([command: 'plan'])
        assertTrue(error.message.contains("'node' is missing or older on this agent (PATH)"))

        error = runFailingEngine([command: 'plan', nodejs: 'node-18'])
        assertTrue(error.message.contains("'node' is missing or older on the NodeJS installation 'node-18'"))
        assertEquals([nodeJSInstallationName: 'node-18'], harness.calls('nodejs')[0].args[0])
    }

    @Test
    void 'with a deadline the engine runs under coreutils timeout, TERM then KILL 30 s later, and 124 is returned as is'() {
        harness.shHandler = { ShCall call -> call.script.startsWith('command -v') ? 0 : 124 }

        Map result = harness.step('ssmBackupEngine').call(command: 'backup', deadlineMinutes: 12)

        assertEquals('timeout -k 30 "$SSM_ENGINE_DEADLINE_SEC" node "$SSM_ENGINE_CJS" backup', harness.calls('sh')[1].namedArgs.script)
        assertEquals([exitCode: 124, error: [message: 'engine exited with code 124'], deadlineMinutes: 12], result)
    }

    @Test
    void 'the example Jenkinsfile calls the step with the job parameters'() {
        harness.params.putAll(ENVIRONMENT: 'prod', DRY_RUN: true, AGENT_LABEL: 'ec2-fleet-medium', JENKINSFILE_BRANCH: 'main')
        harness.env.BACKUP_NOTIFY_EMAIL = 'infra-oncall@example.com'
        harness.env.BACKUP_ONCALL_EMAIL = 'sre-oncall@example.com'
        harness.registerAllowedMethod('emailext') { Map spec -> null }
        harness.registerAllowedMethod('slackSend') { Map spec -> null }

        CompilerConfiguration config = new CompilerConfiguration(scriptBaseClass: HarnessScript.name)
        config.addCompilationCustomizers(new ImportCustomizer().addImports('org.jenkinsci.plugins.workflow.libs.Library'))
        new GroovyShell(HarnessScript.classLoader, harness.binding, config).evaluate(new File(testsupport.PipelineHarness.ROOT, 'examples/Jenkinsfile'))

        assertEquals([environment: 'prod', dryRun: true, allowShrink: false, agentLabel: 'ec2-fleet-medium', credentialsId: '', slackChannel: '#infra-alerts',
                      slackWebhookCredentialsId: '', email: 'infra-oncall@example.com', emailCc: 'sre-oncall@example.com',
                      runbookUrl: 'https://github.com/example-org/ssm-multi-region-backup/blob/main/docs/runbooks/ssm-backup.md'],
                harness.calls('ssmMultiRegionBackup')[0].args[0])
        assertEquals(['ec2-fleet-medium'], harness.calls('node')*.args*.getAt(0))
        assertEquals(['true', 'true'], engine.engineCalls('backup')*.env*.SSM_BACKUP_DRY_RUN)
        assertEquals(1, engine.engineCalls('notify').size())
        assertEquals('#infra-alerts', harness.calls('slackSend')[0].namedArgs.channel)
    }

    private Throwable runFailingEngine(Map args) {
        try {
            harness.step('ssmBackupEngine').call(args)
        } catch (hudson.AbortException e) {
            return e
        }
        throw new AssertionError('expected a failure')
    }
}
