package org.ssmbackup

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

import org.junit.Test

class ArchiveChoiceTest {
    static final Map LISTING = [bucket: 'b', region: 'us-west-2', archives: [
            [key: '2026-11-29/k3.tar.gz', createdAt: '2026-11-29T02:00:00.000Z', latest: false, refused: true, parameterCount: 3],
            [key: '2026-11-28/k2.tar.gz', createdAt: '2026-11-28T02:05:09.000Z', latest: true, refused: false, parameterCount: 120],
            [key: '2026-11-27/k1.tar.gz', createdAt: '2026-11-27T02:00:00.000Z', latest: false, refused: false, parameterCount: null]]]

    @Test
    void 'offers latest first, then the accepted archives newest first with time and count, refused ones are counted, not offered'() {
        Map asked = ArchiveChoice.of(LISTING, 'us-west-2')
        assertEquals(['latest  (2026-11-28 02:05Z, 120 parameters: 2026-11-28/k2.tar.gz)',
                      '2026-11-28/k2.tar.gz  (2026-11-28 02:05Z, 120 parameters)',
                      '2026-11-27/k1.tar.gz  (2026-11-27 02:00Z, ? parameters (older version))'], asked.choices)
        assertEquals('Newest first. 1 archive(s) refused by the shrink guard are not offered.', asked.description)
        assertTrue(asked.message.startsWith('Which archive of us-west-2 (s3://b)'))
        // latest is the key it showed: latest.txt may move before the plan runs, the person chose what they saw
        assertEquals(['2026-11-28/k2.tar.gz', '2026-11-28/k2.tar.gz', '2026-11-27/k1.tar.gz'], asked.choices.collect { ArchiveChoice.picked(it) })
    }

    @Test
    void 'shows at most SHOWN archives and says how many older ones AS_OF reaches'() {
        List many = (1..(ArchiveChoice.SHOWN + 5)).collect {
            [key: "k${it}".toString(), createdAt: '2026-11-28T02:00:00Z', latest: it == 1, refused: false, parameterCount: it]
        }
        Map asked = ArchiveChoice.of([bucket: 'b', archives: many], 'r')
        assertEquals(ArchiveChoice.SHOWN + 1, asked.choices.size())
        assertEquals('Newest first. 5 older archive(s) are not shown: use AS_OF (asOf) for them.', asked.description)
    }

    @Test
    void 'a bucket without an archive to offer is a problem, naming the bucket'() {
        assertEquals('No archive to restore in s3://b (r): the bucket holds no archive', ArchiveChoice.of([bucket: 'b', archives: []], 'r').problem)
        Map onlyRefused = [bucket: 'b', archives: [LISTING.archives[0]]]
        assertEquals('No archive to restore in s3://b (r): every archive was refused by the shrink guard', ArchiveChoice.of(onlyRefused, 'r').problem)
    }

    @Test
    void 'without a latest-txt naming an offered archive the archives are still offered, without a latest choice'() {
        Map noPointer = [bucket: 'b', archives: LISTING.archives.collect { it + [latest: false] }]
        Map asked = ArchiveChoice.of(noPointer, 'r')
        assertNull(asked.problem)
        assertEquals(['2026-11-28/k2.tar.gz', '2026-11-27/k1.tar.gz'], asked.choices.collect { ArchiveChoice.picked(it) })
        assertTrue(asked.description, asked.description.contains('latest.txt names no archive offered here, so there is no latest choice.'))
    }

    @Test
    void 'choose asks only without asOf, with asOf the engine gets latest, choose with autoApprove is refused'() {
        assertTrue(ArchiveChoice.asks([archive: 'choose']))
        assertEquals(false, ArchiveChoice.asks([archive: 'choose', asOf: '2026-11-28']))
        assertEquals('latest', ArchiveChoice.resolved([archive: 'choose', asOf: '2026-11-28']))
        assertEquals('k', ArchiveChoice.resolved([archive: 'k']))
        assertTrue(ArchiveChoice.problem([archive: 'choose', autoApprove: true]).contains("archive: 'choose' waits for a person"))
        assertNull(ArchiveChoice.problem([archive: 'choose', autoApprove: true, asOf: '2026-11-28']))
        assertNull(ArchiveChoice.problem([archive: 'latest', autoApprove: true]))
    }

    @Test
    void 'names who started the run: the user, else the cause in its own words'() {
        assertEquals('Jane Doe (jdoe)', ArchiveChoice.startedBy([[shortDescription: 'Started by user Jane Doe', userId: 'jdoe', userName: 'Jane Doe']]))
        assertEquals('Started by timer', ArchiveChoice.startedBy([[_class: 'hudson.triggers.TimerTrigger$TimerTriggerCause', shortDescription: 'Started by timer']]))
        assertEquals('Started by upstream project "a" build number 3',
                ArchiveChoice.startedBy([[shortDescription: 'Started by upstream project "a" build number 3', upstreamBuild: 3]]))
        assertNull(ArchiveChoice.startedBy([]))
    }

    @Test
    void 'list options: the restore source, JSON into the file'() {
        assertEquals([environment: 'dev', ssmHomeRegion: null, region: 'us-west-2', account: '111111111111', output: 'json', outputFile: '/w/a.json'],
                ArchiveChoice.listOptions([environment: 'dev', region: 'us-west-2', account: '111111111111', targetAccount: '2'], '/w/a.json'))
    }
}
