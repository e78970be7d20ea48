import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue

import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized
import org.junit.runners.Parameterized.Parameters
import testsupport.FakeEngine
import testsupport.OrderedJson
import testsupport.PipelineTestCase

/**
 * The result of ssmMultiRegionBackup in every mode (issue 20's table): engine exit codes x summary states x modes
 * (in turn, parallel, fail-fast or not, abort, Jenkins timeout, engine timeout, agent-side kill). Each row asserts the
 * region stages, the build result, the build description (rendered by the engine's notify from the summary and the
 * step's region outcomes), the email subject and recipients, and the Slack preview. The engine's backup is a FakeEngine; notify is the real bundle.
 */
@RunWith(Parameterized)
class SsmMultiRegionBackupResultTest extends PipelineTestCase {
    static final List<String> THREE = ['ap-northeast-1', 'us-west-2', 'eu-west-1']
    static final String JOB = ' - Admin_Jobs/ssm-multi-region-backup #42'
    static final String AGENT_KILL = 'TIMED_OUT us-west-2: stopped by the agent-side deadline (12 min): the engine did not end at its own ' +
            '--region-timeout; latest.txt was not moved by it'
    static final String ABORTED_RUNNING = 'ABORTED us-west-2 (+1 more region(s): 1 ABORTED): the build was aborted (by a user or a Jenkins ' +
            'timeout) while it ran; latest.txt was not moved by it'
    static final String REFUSED = 'requireClientEncryption: no backup KMS key for us-west-2 (/jenkins/dev/backup/us-west-2/kms-key-arn)'

    /** [case, options, engine setup, stage results, statuses in the summary, build result, description, email subject] */
    @Parameters(name = '{0}')
    static Collection<Object[]> cases() {
        [
                ['in turn: every region backed up', [:], {}, [:], ['SUCCESS', 'SUCCESS', 'SUCCESS'],
                 'SUCCESS', 'OK 3/3 regions, 36 parameters', '[OK] SSM backup dev'],
                ['in turn: dry run', [dryRun: true], {}, [:], ['SUCCESS', 'SUCCESS', 'SUCCESS'],
                 'SUCCESS', 'DRY RUN OK 3/3 regions, 36 parameters', '[DRY RUN] [OK] SSM backup dev'],
                ['in turn: warnings', [:], { FakeEngine e -> e.warnings['us-west-2'] = ['bucket differs'] }, ['Backup us-west-2': 'UNSTABLE'],
                 ['SUCCESS', 'SUCCESS', 'SUCCESS'], 'UNSTABLE', 'UNSTABLE 3/3 regions, 36 parameters, warnings in us-west-2', '[UNSTABLE] SSM backup dev'],
                ['in turn, fail-fast: engine FAILED, the rest SKIPPED by the engine', [:], { FakeEngine e -> e.failures['us-west-2'] = 'AccessDenied' },
                 ['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], ['SUCCESS', 'FAILED', 'SKIPPED'],
                 'FAILURE', 'FAILED us-west-2: AccessDenied', '[FAIL] SSM backup dev'],
                ['in turn, no fail-fast: engine FAILED, the rest backed up', [failFast: false], { FakeEngine e -> e.failures['us-west-2'] = 'AccessDenied' },
                 ['Backup us-west-2': 'FAILURE'], ['SUCCESS', 'FAILED', 'SUCCESS'], 'FAILURE', 'FAILED us-west-2: AccessDenied', '[FAIL] SSM backup dev'],
                ['in turn: engine timeout (TIMED_OUT recorded)', [:], { FakeEngine e -> e.timeouts << 'us-west-2' },
                 ['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], ['SUCCESS', 'TIMED_OUT', 'SKIPPED'], 'FAILURE',
                 'TIMED_OUT us-west-2: Stopped at the 600s deadline (regionTimeoutMinutes) after collecting 7000 parameters', '[FAIL] SSM backup dev'],
                ['in turn, refusal exit 2 in two regions: FAILED with the cause, never SKIPPED or OK', [requireClientEncryption: true],
                 { FakeEngine e -> ['us-west-2', 'eu-west-1'].each { e.crashes[it] = [exitCode: 2, message: REFUSED.replace('us-west-2', it)] } },
                 ['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'FAILURE'], ['SUCCESS', 'SKIPPED', 'SKIPPED'], 'FAILURE',
                 "FAILED us-west-2 (+1 more region(s) failed): the engine exited with code 2: ${REFUSED}".toString(), '[FAIL] SSM backup dev'],
                ['in turn: crash before recording the region, the next region decides for itself', [:],
                 { FakeEngine e -> e.crashes['us-west-2'] = [exitCode: 1, message: 'TypeError: x is undefined'] },
                 ['Backup us-west-2': 'FAILURE'], ['SUCCESS', 'SKIPPED', 'SUCCESS'], 'FAILURE',
                 'FAILED us-west-2: the engine exited with code 1: TypeError: x is undefined', '[FAIL] SSM backup dev'],
                ['in turn, fail-fast: agent-side kill (exit 124) is TIMED_OUT, the engine skips the rest', [:],
                 { FakeEngine e -> e.killed['us-west-2'] = [exitCode: 124] },
                 ['Backup us-west-2': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], ['SUCCESS', 'FAILED', 'SKIPPED'], 'FAILURE',
                 AGENT_KILL, '[FAIL] SSM backup dev'],
                ['in turn, no fail-fast: agent-side kill, the next region runs', [failFast: false], { FakeEngine e -> e.killed['us-west-2'] = [exitCode: 137] },
                 ['Backup us-west-2': 'FAILURE'], ['SUCCESS', 'FAILED', 'SUCCESS'], 'FAILURE', AGENT_KILL, '[FAIL] SSM backup dev'],
                ['in turn: abort while a region runs', [:], { FakeEngine e -> e.throwing['us-west-2'] = new InterruptedException('aborted by admin') },
                 ['Backup us-west-2': 'ABORTED', 'Backup eu-west-1': 'ABORTED'], ['SUCCESS', 'SKIPPED', 'SKIPPED'], 'ABORTED',
                 ABORTED_RUNNING, '[ABORTED] SSM backup dev'],
                ['in turn: Jenkins timeout (backstop) fires in a region', [failFast: false], { FakeEngine e -> },
                 ['Backup us-west-2': 'ABORTED', 'Backup eu-west-1': 'ABORTED'], ['SUCCESS', 'SKIPPED', 'SKIPPED'], 'ABORTED',
                 ABORTED_RUNNING, '[ABORTED] SSM backup dev'],
                ['parallel: every region backed up', [parallel: true], {}, [:], ['SUCCESS', 'SUCCESS', 'SUCCESS'],
                 'SUCCESS', 'OK 3/3 regions, 36 parameters', '[OK] SSM backup dev'],
                ['parallel, fail-fast: a failure never skips a region (no timing)', [parallel: true], { FakeEngine e -> e.failures['ap-northeast-1'] = 'AccessDenied' },
                 ['Backup ap-northeast-1': 'FAILURE'], ['FAILED', 'SUCCESS', 'SUCCESS'], 'FAILURE', 'FAILED ap-northeast-1: AccessDenied', '[FAIL] SSM backup dev'],
                ['parallel: agent-side kill, the others run', [parallel: true], { FakeEngine e -> e.killed['us-west-2'] = [exitCode: 124] },
                 ['Backup us-west-2': 'FAILURE'], ['SUCCESS', 'FAILED', 'SUCCESS'], 'FAILURE', AGENT_KILL, '[FAIL] SSM backup dev'],
                ['parallel: abort keeps the region backed up SUCCESS; units that wrote no fragment are not in the summary', [parallel: true],
                 { FakeEngine e -> e.throwing['us-west-2'] = new InterruptedException('aborted by admin') },
                 ['Backup us-west-2': 'ABORTED', 'Backup eu-west-1': 'ABORTED'], ['SUCCESS'], 'ABORTED',
                 ABORTED_RUNNING, '[ABORTED] SSM backup dev'],
                ['parallel: a branch interrupted while its engine ran shows what its fragment recorded', [parallel: true],
                 { FakeEngine e -> e.interrupting['us-west-2'] = new InterruptedException('aborted by admin') },
                 ['Backup us-west-2': 'ABORTED', 'Backup eu-west-1': 'ABORTED'], ['SUCCESS', 'FAILED'], 'ABORTED',
                 ABORTED_RUNNING, '[ABORTED] SSM backup dev'],
                ['parallel 2, fail-fast: a unit taken after a recorded failure is SKIPPED by the engine', [parallel: 2],
                 { FakeEngine e -> e.failures['ap-northeast-1'] = 'AccessDenied' },
                 ['Backup ap-northeast-1': 'FAILURE', 'Backup eu-west-1': 'NOT_BUILT'], ['FAILED', 'SUCCESS', 'SKIPPED'], 'FAILURE',
                 'FAILED ap-northeast-1: AccessDenied', '[FAIL] SSM backup dev'],
                ['parallel 2, no fail-fast: every unit runs', [parallel: 2, failFast: false], { FakeEngine e -> e.failures['ap-northeast-1'] = 'AccessDenied' },
                 ['Backup ap-northeast-1': 'FAILURE'], ['FAILED', 'SUCCESS', 'SUCCESS'], 'FAILURE', 'FAILED ap-northeast-1: AccessDenied', '[FAIL] SSM backup dev'],
                ['parallel 2, fail-fast: a crash the engine could not record skips nothing', [parallel: 2],
                 { FakeEngine e -> e.crashes['ap-northeast-1'] = [exitCode: 1, message: 'TypeError: x is undefined'] },
                 ['Backup ap-northeast-1': 'FAILURE'], ['SUCCESS', 'SUCCESS'], 'FAILURE',
                 'FAILED ap-northeast-1: the engine exited with code 1: TypeError: x is undefined', '[FAIL] SSM backup dev'],
                ['no region planned: never OK', [:], { FakeEngine e -> e.regions = [] }, [:], [],
                 'FAILURE', 'FAILED: no region ran: the plan named no region', '[FAIL] SSM backup dev'],
        ]*.toArray()
    }

    final String name
    final Map options
    final Closure setup
    final Map stageResults
    final List statuses
    final String buildResult
    final String description
    final String subject

    SsmMultiRegionBackupResultTest(String name, Map options, Closure setup, Map stageResults, List statuses, String buildResult,
                                   String description, String subject) {
        this.name = name
        this.options = options
        this.setup = setup
        this.stageResults = stageResults
        this.statuses = statuses
        this.buildResult = buildResult
        this.description = description
        this.subject = subject
    }

    @Test
    void 'stages, build result, description and email subject follow the one rule'() {
        engine.regions = THREE
        setup.call(engine)
        harness.registerAllowedMethod('emailext') { Map spec -> null }
        harness.registerAllowedMethod('slackSend') { Map spec -> null }
        if (name.contains('Jenkins timeout')) {
            int regionBackstops = 0
            harness.registerAllowedMethod('timeout') { Map spec, Closure body ->
                // the second region's backstop (regionTimeoutMinutes + 3) fires: Jenkins interrupts the body
                if (spec.time == 13 && ++regionBackstops == 2) {
                    throw new InterruptedException('Timeout has been exceeded')
                }
                body()
            }
        }
        try {
            harness.run('ssmMultiRegionBackup', [environment: 'dev', email: 'infra@example.com', emailCc: 'oncall@example.com', slackChannel: '#ops'] + options)
        } catch (Throwable expected) {
            assertEquals(harness.log.toString(), buildResult == 'ABORTED', expected instanceof InterruptedException)
        }

        File summaryFile = new File(harness.workspace, 'ssm-backup-work/region_summaries.json')
        List written = summaryFile.exists() ? ((Map) OrderedJson.parse(summaryFile.text)).values()*.status : []
        Map email = harness.calls('emailext')[0]?.namedArgs
        // the status view is linked unless the build was aborted or nothing was planned (ssmBackupStatus runs then)
        String shown = buildResult == 'ABORTED' || !statuses ? description : linked(description)
        assertEquals(harness.log.toString(), [stageResults, statuses, buildResult, shown, subject + JOB],
                [harness.stageResults, written, harness.currentBuild.currentResult, harness.currentBuild.description, email?.subject])
        assertEquals(buildResult in ['FAILURE', 'ABORTED'] ? 'infra@example.com, cc:oncall@example.com' : 'infra@example.com', email.to)
        String slack = harness.calls('slackSend')[0].namedArgs.message
        String icon = [SUCCESS: ':white_check_mark:', UNSTABLE: ':warning:', FAILURE: ':x:', ABORTED: ':no_entry_sign:'][buildResult]
        // The preview a phone shows (issue 23): a failed run names the first failed region and its status, UNSTABLE its
        // warned region, a clean run its result and totals.
        def failed = description =~ /^(?:DRY RUN )?(FAILED|TIMED_OUT|ABORTED) ([a-z0-9-]+)/
        String lead = failed ? "${failed[0][1].replace('_', ' ')} ${failed[0][2]}" : buildResult == 'UNSTABLE' ? 'UNSTABLE ' : "${buildResult} - "
        String preview = "${options.dryRun ? '[DRY RUN] ' : ''}${icon} SSM backup dev: ${lead}"
        assertTrue(slack, slack.startsWith(preview))
    }
}
