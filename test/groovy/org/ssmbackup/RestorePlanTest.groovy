package org.ssmbackup

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull

import org.junit.Test

class RestorePlanTest {
    static final Map PRUNE_ONLY = [mode: 'plan', sourceRegion: 'us-west-2', targetRegion: 'us-west-2', archive: [key: 'k.tar.gz', verified: true],
            counts: [create: 0, update: 0, unchanged: 3, differs: 0, delete: 2], writeCount: 2,
            planned: [create: [], update: [], unchanged: ['/a', '/b', '/c'], differs: [:], delete: ['/app/old', '/app/gone']]]

    @Test
    void 'writes come from the engine writeCount, and a summary without it is refused naming the field'() {
        assertEquals([writes: 2], RestorePlan.writes(PRUNE_ONLY))
        assertEquals([writes: 0], RestorePlan.writes(PRUNE_ONLY + [writeCount: 0]))
        String problem = RestorePlan.writes(PRUNE_ONLY.findAll { it.key != 'writeCount' }).problem
        assertEquals("restore_summary.json has no writeCount (got nothing): the engine bundle and the library ship together; " +
                'use the resources/ of this library version', problem)
        assertEquals("restore_summary.json has no writeCount (got '2'): the engine bundle and the library ship together; " +
                'use the resources/ of this library version', RestorePlan.writes(PRUNE_ONLY + [writeCount: '2']).problem)
    }

    @Test
    void 'the apply takes the archive the plan read, without asOf, and a plan naming none cannot be applied'() {
        Map config = [environment: 'dev', region: 'us-west-2', archive: 'latest', asOf: '2026-11-28', prune: true]
        assertEquals(config + [archive: 'k.tar.gz', asOf: null], RestorePlan.applyConfig(config, PRUNE_ONLY))
        assertEquals('latest', config.archive)   // the step's own options are left as given
        String problem = 'restore_summary.json names no archive (archive.key): the plan cannot be applied as approved; run the job again'
        assertEquals([problem: problem], RestorePlan.writes(PRUNE_ONLY + [archive: null]))
        assertEquals([problem: problem], RestorePlan.writes(PRUNE_ONLY + [archive: [verified: true]]))
        assertEquals('Restore plan failed: ' + problem, RestorePlan.failure([exitCode: 0], PRUNE_ONLY + [archive: null], false, 30).message)
    }

    @Test
    void 'the plan text and the approval prompt show deletions'() {
        assertEquals(['Restore plan: k.tar.gz (verified) from us-west-2 into us-west-2: create=0 update=0 delete=2 unchanged=3 differs-not-overwritten=0',
                      '  delete  /app/old', '  delete  /app/gone'], RestorePlan.text(PRUNE_ONLY, 's.json').split('\n').toList())
        assertEquals([message: 'Restore into us-west-2: create=0 update=0 delete=2 unchanged=3 differs-not-overwritten=0? ' +
                'It DELETES 2 parameter(s): see the plan above.', ok: 'Restore', submitter: 'sre'], RestorePlan.approval(PRUNE_ONLY, 'sre'))
    }

    @Test
    void 'a long plan is cut at SHOWN lines and says where the rest is'() {
        Map big = PRUNE_ONLY + [planned: [create: (1..250).collect { "/p/${it}".toString() }, update: [], differs: [:], delete: []]]
        List<String> lines = RestorePlan.text(big, 'ssm-backup-work/restore_summary.json').split('\n').toList()
        assertEquals(RestorePlan.SHOWN + 2, lines.size())
        assertEquals('  ... and 50 more (see ssm-backup-work/restore_summary.json)', lines[-1])
    }

    @Test
    void 'a failure names the deadline, the engine message, or the missing writeCount, and success is null'() {
        assertNull(RestorePlan.failure([exitCode: 0], PRUNE_ONLY, false, 30))
        assertEquals('Restore plan failed: stopped at its 30-minute deadline (planTimeoutMinutes)',
                RestorePlan.failure([exitCode: 124], [:], false, 30).message)
        Map applied = RestorePlan.failure([exitCode: 1, error: [message: 'One or more regions failed']], [failed: [[name: '/a', error: 'Throttled']]], true, 60)
        assertEquals([lines: 'FAILED /a: Throttled', message: 'Restore apply failed: One or more regions failed (run the job again to finish the rest)'], applied)
        assertEquals('Restore plan failed: restore_summary.json has no writeCount (got nothing): the engine bundle and the library ship together; ' +
                'use the resources/ of this library version', RestorePlan.failure([exitCode: 0], [planned: [:]], false, 30).message)
    }
}
