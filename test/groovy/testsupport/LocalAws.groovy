package testsupport

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import java.util.concurrent.TimeUnit

/**
 * The local AWS emulator (local-aws/cli.ts) as a child process: started with a seed document, it prints
 * {"endpoint": ...} and runs until its stdin closes, which stop() does.
 */
class LocalAws {
    final Process process
    final String endpoint
    final File log

    LocalAws(Map seed, File dir) {
        File seedFile = new File(dir, 'seed.json')
        seedFile.text = JsonOutput.toJson(seed)
        log = new File(dir, 'local-aws.log')
        process = new ProcessBuilder('node', '--import', 'tsx', 'local-aws/cli.ts', '--seed', seedFile.path, '--max-lifetime-sec', '600')
                .directory(PipelineHarness.ROOT)
                .redirectError(log)
                .start()
        String line = new BufferedReader(new InputStreamReader(process.inputStream, 'UTF-8')).readLine()
        if (line == null) {
            throw new IllegalStateException("local-aws did not start: ${log.text}")
        }
        endpoint = new JsonSlurper().parseText(line).endpoint
    }

    /** What an agent with access to the local AWS has in its environment. */
    Map<String, String> agentEnv(String homeRegion) {
        [AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: homeRegion,
         AWS_EC2_METADATA_DISABLED: 'true']
    }

    /** POST /__local/seed: applies a seed document (e.g. a role's trust changed); fails on the emulator's 400. */
    void seed(Map doc) { admin('seed', JsonOutput.toJson(doc)) }

    void clearFaults() { admin('faults', '{"clear":true}') }

    /** GET /__local/state: buckets (region, owner, objects) and the default account's parameters. */
    Map state() { (Map) new JsonSlurper().parseText(admin('state', null)) }

    private String admin(String route, String body) {
        HttpURLConnection http = (HttpURLConnection) new URL("${endpoint}/__local/${route}").openConnection()
        if (body != null) {
            http.requestMethod = 'POST'
            http.doOutput = true
            http.outputStream.withStream { it.write(body.getBytes('UTF-8')) }
        }
        String answer = (http.responseCode < 400 ? http.inputStream : http.errorStream).getText('UTF-8')
        if (http.responseCode != 200) {
            throw new IllegalStateException("local-aws ${route} answered ${http.responseCode}: ${answer}")
        }
        answer
    }

    void stop() {
        process.outputStream.close()
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroy()
        }
    }
}
