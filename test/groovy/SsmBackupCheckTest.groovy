import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue

import org.junit.Test
import testsupport.PipelineTestCase
import testsupport.ShCall

/** vars/ssmBackupCheck.groovy: one `check` run in a stage; a FAIL fails the build (or makes it UNSTABLE). */
class SsmBackupCheckTest extends PipelineTestCase {

    @Test
    void 'runs the engine check with the options in the environment and returns ready'() {
        harness.credentials['aws-ssm-backup'] = [accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'not-a-real-secret']
        Map result = harness.run('ssmBackupCheck', [environment: 'prod', regions: ['us-west-2', 'eu-central-1'], credentialsId: 'aws-ssm-backup'])

        assertEquals([ready: true, exitCode: 0], result)
        ShCall check = engine.engineCalls('check')[0]
        assertEquals([SSM_BACKUP_ENVIRONMENT: 'prod', SSM_BACKUP_REGIONS: 'us-west-2,eu-central-1', SSM_BACKUP_OUTPUT: 'table'],
                check.env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        assertEquals(['Check setup'], harness.stages)
        assertEquals('aws-ssm-backup', harness.calls('withCredentials')[0].args[0][0].credentialsId)
    }

    @Test
    void 'a FAIL fails the build, saying the table gives each fix'() {
        engine.checkStatus = 1

        Throwable error = runFailing('ssmBackupCheck', [environment: 'prod'])

        assertEquals('ssmBackupCheck: the setup of prod is not ready: a check FAILed (the table above gives each fix)', error.message)
    }

    @Test
    void 'failOnError false: the build is UNSTABLE instead'() {
        engine.checkStatus = 1

        Map result = harness.run('ssmBackupCheck', [environment: 'prod', failOnError: false])

        assertEquals([ready: false, exitCode: 1], result)
        assertEquals('UNSTABLE', harness.stageResults['Check setup'])
        assertTrue(harness.log.toString().contains('WARNING: ssmBackupCheck: the setup of prod is not ready'))
    }
}
