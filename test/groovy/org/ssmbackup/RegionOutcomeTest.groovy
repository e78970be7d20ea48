package org.ssmbackup

import static org.junit.Assert.assertEquals

import org.junit.Test

/** The one result rule, case by case: engine exit code x summary entry x abort x dry run. */
class RegionOutcomeTest {
    static final String R = 'us-west-2'
    static final Map OK = [status: 'SUCCESS', parameterCount: 12, artifactPath: 's3://b/k.tar.gz']
    static final Map DRY = [status: 'SUCCESS', parameterCount: 12, artifactPath: null, dryRun: true]
    static final Map FAILED = [status: 'FAILED', failureMessage: 'AccessDenied', failureCategory: 'aws']
    static final Map TIMED_OUT = [status: 'TIMED_OUT', failureMessage: 'Stopped at the region deadline']
    static final Map FAIL_FAST = [status: 'SKIPPED', failureMessage: 'not started: ap-northeast-1 failed (fail-fast)']
    static final Map NOT_STARTED = [status: 'SKIPPED', failureMessage: 'not started']
    static final Map RUNNING = [status: 'FAILED', failureCategory: 'interrupted', failureMessage: 'us-west-2 did not finish: the engine was stopped', runningPid: 1]
    static final Map REFUSED = [exitCode: 2, error: [exitCode: 2, category: 'config', message: 'no backup KMS key in us-west-2']]

    /** [case, entry, engine (null: not started), aborted, dryRun, status, stageResult, recorded, cause] */
    static final List<List> CASES = [
            ['success with an archive', OK, [exitCode: 0], false, false, 'SUCCESS', 'SUCCESS', true, null],
            ['dry-run success', DRY, [exitCode: 0], false, true, 'SUCCESS', 'SUCCESS', true, null],
            ['warnings', OK + [warnings: ['bucket differs']], [exitCode: 0], false, false, 'SUCCESS', 'UNSTABLE', true, null],
            ['SUCCESS without an archive', OK + [artifactPath: null], [exitCode: 0], false, false, 'FAILED', 'FAILURE', false,
             'the engine recorded SUCCESS without an archive'],
            ['a dry-run entry in a real run', DRY, [exitCode: 0], false, false, 'FAILED', 'FAILURE', false, 'the engine recorded SUCCESS without an archive'],
            ['a real entry in a dry run', OK, [exitCode: 0], false, true, 'FAILED', 'FAILURE', false, 'the engine recorded SUCCESS that is not a dry run'],
            ['SUCCESS then exit 1', OK, [exitCode: 1, error: [message: 'summary.json not written']], false, false, 'SUCCESS', 'UNSTABLE', true, null],
            ['engine FAILED', FAILED, [exitCode: 1, error: [message: 'One or more regions failed']], false, false, 'FAILED', 'FAILURE', true, 'AccessDenied'],
            ['engine deadline', TIMED_OUT, [exitCode: 1], false, false, 'TIMED_OUT', 'FAILURE', true, 'Stopped at the region deadline'],
            ['fail-fast skip', FAIL_FAST, [exitCode: 0], false, false, 'SKIPPED', 'NOT_BUILT', true, 'not started: ap-northeast-1 failed (fail-fast)'],
            ['refusal, exit 2, no entry', null, REFUSED, false, false, 'FAILED', 'FAILURE', false,
             'the engine exited with code 2: no backup KMS key in us-west-2'],
            ['refusal, exit 2, placeholder entry', NOT_STARTED, REFUSED, false, false, 'FAILED', 'FAILURE', false,
             'the engine exited with code 2: no backup KMS key in us-west-2'],
            ['crash without error file', NOT_STARTED, [exitCode: 134, error: null], false, false, 'FAILED', 'FAILURE', false,
             'the engine exited with code 134 before it recorded the region'],
            ['killed mid-region', RUNNING, [exitCode: 137, error: null], false, false, 'TIMED_OUT', 'FAILURE', false,
             'stopped by the agent-side deadline (12 min): the engine did not end at its own --region-timeout; latest.txt was not moved by it'],
            ['agent deadline, TERM', RUNNING, [exitCode: 124, error: [message: 'engine exited with code 124']], false, false, 'TIMED_OUT', 'FAILURE', false,
             'stopped by the agent-side deadline (12 min): the engine did not end at its own --region-timeout; latest.txt was not moved by it'],
            ['crashed mid-region', RUNNING, [exitCode: 1, error: null], false, false, 'FAILED', 'FAILURE', false,
             'the engine exited with code 1: us-west-2 did not finish: the engine was stopped'],
            ['exit 0, nothing recorded', null, [exitCode: 0], false, false, 'FAILED', 'FAILURE', false, 'the engine recorded nothing for it'],
            ['exit 0, placeholder SKIPPED', NOT_STARTED, [exitCode: 0], false, false, 'FAILED', 'FAILURE', false, 'the engine recorded nothing for it'],
            ['fail-fast SKIPPED but exit 2', FAIL_FAST, REFUSED, false, false, 'FAILED', 'FAILURE', false,
             'the engine exited with code 2: no backup KMS key in us-west-2'],
            ['aborted while running', RUNNING, [exitCode: null], true, false, 'ABORTED', 'ABORTED', false,
             'the build was aborted (by a user or a Jenkins timeout) while it ran; latest.txt was not moved by it'],
            ['aborted before it started', NOT_STARTED, null, true, false, 'ABORTED', 'ABORTED', false,
             'not started: the build was aborted (by a user or a Jenkins timeout)'],
            ['backed up before the abort', OK, null, true, false, 'SUCCESS', 'SUCCESS', true, null],
            ['failed before the abort', FAILED, null, true, false, 'FAILED', 'FAILURE', true, 'AccessDenied'],
    ]

    @Test
    void 'every case gets the outcome of the one rule'() {
        List<String> wrong = []
        for (List c in CASES) {
            Map engine = c[2] == null ? null : c[2] + [deadlineMinutes: 12]
            Map o = RegionOutcome.of(R, c[1] as Map, engine, c[3] as boolean, c[4] as boolean)
            List expected = [c[5], c[6], c[7], c[8], c[8] == null ? null : "${R} ${c[5]}: ${c[8]}".toString()]
            List actual = [o.status, o.stageResult, o.recorded, o.cause, o.message]
            if (c[6] == 'UNSTABLE') {
                expected[4] = actual[4]   // the warnings, checked below
            }
            if (expected != actual) {
                wrong << "${c[0]}: expected ${expected}, got ${actual}".toString()
            }
        }
        assertEquals(wrong.join('\n'), [], wrong)
    }

    @Test
    void 'no outcome other than an engine decision is SKIPPED or NOT_BUILT'() {
        for (List c in CASES) {
            Map o = RegionOutcome.of(R, c[1] as Map, c[2] as Map, c[3] as boolean, c[4] as boolean)
            assertEquals(c[0] as String, o.status == 'SKIPPED', o.stageResult == 'NOT_BUILT')
            assertEquals(c[0] as String, o.status == 'SKIPPED', c[1] == FAIL_FAST && o.recorded)
        }
    }

    @Test
    void 'warnings, and an exit code after SUCCESS, are the stage message'() {
        assertEquals('us-west-2: bucket differs', RegionOutcome.of(R, OK + [warnings: ['bucket differs']], [exitCode: 0], false, false).message)
        assertEquals('us-west-2: the engine exited with code 1 after recording SUCCESS: summary.json not written',
                RegionOutcome.of(R, OK, [exitCode: 1, error: [message: 'summary.json not written']], false, false).message)
    }

    @Test
    void 'the build is SUCCESS only when every configured region is'() {
        Map ok = [status: 'SUCCESS', stageResult: 'SUCCESS']
        Map warned = [status: 'SUCCESS', stageResult: 'UNSTABLE']
        Map failed = [status: 'FAILED', stageResult: 'FAILURE', cause: 'x']
        Map skipped = [status: 'SKIPPED', stageResult: 'NOT_BUILT', cause: 'fail-fast']
        Map aborted = [status: 'ABORTED', stageResult: 'ABORTED', cause: 'aborted']
        assertEquals([result: 'SUCCESS', cause: null], RegionOutcome.buildResult(['a', 'b'], [a: ok, b: ok]))
        assertEquals([result: 'UNSTABLE', cause: null], RegionOutcome.buildResult(['a', 'b'], [a: ok, b: warned]))
        assertEquals([result: 'FAILURE', cause: 'x'], RegionOutcome.buildResult(['a', 'b', 'c'], [a: ok, b: failed, c: skipped]))
        assertEquals([result: 'FAILURE', cause: 'fail-fast'], RegionOutcome.buildResult(['a', 'b'], [a: ok, b: skipped]))
        assertEquals([result: 'ABORTED', cause: 'aborted'], RegionOutcome.buildResult(['a', 'b', 'c'], [a: failed, b: aborted, c: ok]))
        assertEquals([result: 'FAILURE', cause: 'no outcome recorded'], RegionOutcome.buildResult(['a', 'b'], [a: ok]))
        assertEquals([result: 'FAILURE', cause: 'no region ran: the plan named no region'], RegionOutcome.buildResult([], [:]))
    }

    @Test
    void 'the report is told only what the summary does not show, in region order'() {
        Map outcomes = [c: RegionOutcome.of('c', null, null, true, false), a: RegionOutcome.of('a', OK, [exitCode: 0], false, false),
                        b: RegionOutcome.of('b', NOT_STARTED, REFUSED, false, false)]
        assertEquals([b: [status: 'FAILED', failureMessage: 'the engine exited with code 2: no backup KMS key in us-west-2'],
                      c: [status: 'ABORTED', failureMessage: 'not started: the build was aborted (by a user or a Jenkins timeout)']],
                RegionOutcome.reportEntries(['a', 'b', 'c'], outcomes))
    }

    @Test
    void 'regions the run never reached are ABORTED after an abort, else FAILED with why the run stopped'() {
        Map a = RegionOutcome.of('a', OK, [exitCode: 0], false, false)
        Map done = RegionOutcome.completed(['a', 'b'], [a: a], false, 'Could not find credentials entry')
        assertEquals([a, [status: 'FAILED', stageResult: 'FAILURE', message: 'b FAILED: not started: the run stopped (Could not find credentials entry)',
                          cause: 'not started: the run stopped (Could not find credentials entry)', recorded: false]], done.values().toList())
        assertEquals('ABORTED', RegionOutcome.completed(['a', 'b'], [a: a], true, null).b.status)
    }
}
