import groovy.transform.Field
import org.ssmbackup.StepOptions

// Checks a backup setup read-only before the first night (see ssmBackupCheck.txt): the engine's `check` prints its
// table in the log; the step fails the build when a check FAILs. No AWS or region logic here.
@Field static final Map DEFAULTS = [environment: null, ssmHomeRegion: null, regions: null, credentialsId: null, agentLabel: null,
        nodejs: null, failOnError: true, checkTimeoutMinutes: 10]

Map call(Map options = [:]) {
    Map config = StepOptions.check('ssmBackupCheck', DEFAULTS, options)
    if (config.problem) {
        error(config.problem)
    }
    Map result = [:]
    ssmBackupEngine.onAgent(config.agentLabel) {
        stage('Check setup') {
            Map engineOptions = [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, regions: config.regions, output: 'table']
            timeout(time: config.checkTimeoutMinutes + 1, unit: 'MINUTES') {   // a backstop: the agent-side deadline stops the engine first
                result = ssmBackupEngine(command: 'check', env: StepOptions.toEnv(engineOptions), credentialsId: config.credentialsId,
                        nodejs: config.nodejs, deadlineMinutes: config.checkTimeoutMinutes)
            }
            if (result.exitCode != 0) {
                String why = result.exitCode == 1 ? 'a check FAILed (the table above gives each fix)' : result.error?.message
                if (config.failOnError) {
                    error("ssmBackupCheck: the setup of ${config.environment} is not ready: ${why}")
                }
                unstable("ssmBackupCheck: the setup of ${config.environment} is not ready: ${why}")
            }
        }
    }
    return [ready: result.exitCode == 0, exitCode: result.exitCode]
}
