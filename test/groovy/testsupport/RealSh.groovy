package testsupport

import java.util.concurrent.TimeUnit
import java.util.regex.Pattern
import java.util.stream.Collectors

/**
 * An `sh` step run for real by the harness: `sh -c` in the current node's workspace, with the agent's environment
 * (PipelineHarness.processEnv) under the withEnv values, its output appended to the console log.
 */
class RealSh {
    final PipelineHarness harness

    RealSh(PipelineHarness harness) { this.harness = harness }

    /**
     * Runs the script; as an abort of the build while it runs: once abortWhen() answers true (asked every 5 ms), every
     * process of the script gets SIGTERM, as Jenkins' ProcessTree does, and the step throws InterruptedException
     * (Jenkins: FlowInterruptedException) after the processes ended.
     */
    ShResult run(ShCall call, Closure<Boolean> abortWhen) {
        refuseOtherWorkspaces(call)
        ProcessBuilder builder = new ProcessBuilder('sh', '-c', call.script).directory(harness.here()).redirectErrorStream(true)
        builder.environment().putAll(harness.processEnv)
        call.env.each { k, v -> if (v != null) { builder.environment()[k.toString()] = v.toString() } }
        Process process = builder.start()
        process.outputStream.close()
        StringBuilder output = new StringBuilder()
        Thread reader = Thread.start { output << process.inputStream.getText('UTF-8') }
        boolean aborted = false
        while (!process.waitFor(5, TimeUnit.MILLISECONDS)) {
            if (!aborted && abortWhen()) {
                aborted = true
                List<ProcessHandle> tree = process.toHandle().descendants().collect(Collectors.toList()) + [process.toHandle()]
                tree*.destroy()
                tree.each { it.onExit().get(30, TimeUnit.SECONDS) }
            }
        }
        reader.join()
        harness.log << output
        if (aborted) {
            throw new InterruptedException("sh aborted: ${call.script}")
        }
        new ShResult(status: process.exitValue(), stdout: output.toString())
    }

    /**
     * A real process could read any path of this machine, an agent only its own: a script or environment value naming
     * the workspace (or @tmp) of another node, or the controller's outside any node, would work here and fail on Jenkins.
     */
    private void refuseOtherWorkspaces(ShCall call) {
        List<File> others = ((harness.nodes*.workspace as List<File>) + [harness.workspace]) - [harness.here()]
        List<String> texts = [call.script] + call.env.values().findAll { it != null }*.toString()
        others.each { File other ->
            Pattern inside = Pattern.compile(Pattern.quote(other.path) + '(?=[/@,:]|$)')
            String found = texts.find { inside.matcher(it).find() }
            if (found != null) {
                throw new AssertionError((Object) "sh on ${harness.here()} names ${other}, a workspace of another node: ${found}".toString())
            }
        }
    }
}
