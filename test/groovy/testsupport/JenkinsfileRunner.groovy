package testsupport

/**
 * Runs a shipped Jenkinsfile (examples/) with the given job parameters and folder environment, the library step it
 * calls replaced by a recorder; returns the step's arguments. The `@Library(...) _` line is dropped: the library is
 * what the stand-in replaces.
 */
class JenkinsfileRunner {
    static Map run(String path, String step, Map params, Map env = [:]) {
        String text = new File(PipelineHarness.ROOT, path).text
        String script = text.replaceFirst(/(?m)^@Library\([^)]*\) _\s*$/, '')
        assert script != text: "${path} has no @Library line"
        Map recorded = null
        Binding binding = new Binding(params: params, env: env)
        binding.setVariable(step, { Map args -> recorded = args })
        new GroovyShell(JenkinsfileRunner.classLoader, binding).evaluate(script, path.tokenize('/')[-1].replace('.', '_'))
        assert recorded != null: "${path} did not call ${step}"
        recorded
    }
}
