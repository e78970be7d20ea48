import org.junit.Test
import testsupport.PipelineTestCase
class DebugTmpTest extends PipelineTestCase {
    @Test
    void 'debug'() {
        engine.accounts = [[accountId: '111111111111', alias: 'payments-prod', regions: ['ap-northeast-1', 'us-west-2']],
                           [accountId: '222222222222', regions: ['ap-northeast-1', 'us-west-2']],
                           [accountId: '333333333333', regions: ['ap-northeast-1', 'us-west-2']]]
        engine.failures['111111111111/ap-northeast-1'] = 'AccessDenied: ssm:GetParameters'
        try { harness.run('ssmMultiRegionBackup', [environment: 'prod', parallel: 3, agentLabel: 'ssm-backup']) } catch (Throwable t) { }
        new File('/tmp/dbg/out.txt').text = harness.callLines(['stage', 'unstash', 'stash', 'sh']).join('\n') + '\n' + engine.calls.collect { it.script + ' ' + it.env.findAll { it.key.startsWith('SSM_BACKUP') } }.join('\n') + harness.log
    }
}
