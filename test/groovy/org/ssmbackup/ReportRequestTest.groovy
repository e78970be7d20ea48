package org.ssmbackup

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull

import org.junit.Test

class ReportRequestTest {
    static Map report(String result) { [result: result, email: [subject: "[X] SSM backup dev\r\nBcc: evil@example.com", body: 'b']] }

    @Test
    void 'failure and abort emails CC the on-call, success and unstable ones do not'() {
        assertEquals('infra@example.com, cc:oncall@example.com, cc:sre-lead@example.com',
                ReportRequest.emailArguments(report('FAILURE'), 'infra@example.com', 'oncall@example.com, sre-lead@example.com').to)
        assertEquals('infra@example.com, cc:oncall@example.com', ReportRequest.emailArguments(report('ABORTED'), 'infra@example.com', 'oncall@example.com').to)
        assertEquals('infra@example.com', ReportRequest.emailArguments(report('SUCCESS'), 'infra@example.com', 'oncall@example.com').to)
        assertEquals('infra@example.com', ReportRequest.emailArguments(report('UNSTABLE'), 'infra@example.com', 'oncall@example.com').to)
        assertEquals('cc:oncall@example.com', ReportRequest.emailArguments(report('FAILURE'), null, 'oncall@example.com').to)
        assertNull(ReportRequest.emailArguments(report('SUCCESS'), null, 'oncall@example.com'))
    }

    @Test
    void 'the subject keeps no CR or LF'() {
        assertEquals('[X] SSM backup dev Bcc: evil@example.com', ReportRequest.emailArguments(report('FAILURE'), 'a@example.com', null).subject)
        assertEquals('[DRY RUN] [FAIL] SSM backup dev x', ReportRequest.unrendered([kind: 'backup', environment: 'dev\nx', dryRun: true], 'no node').email.subject)
    }

    @Test
    void 'the notify options carry the outcomes file and say when no summary was written'() {
        Map config = [kind: 'backup', summaryFile: 's.json', outcomesFile: 'o.json', environment: 'dev', dryRun: false]
        Map build = [url: 'https://j/1/', jobName: 'job', number: '1', durationSec: 5L]
        Map options = ReportRequest.notifyOptions(config, true, '/w/', build)
        assertEquals(['/w/s.json', '/w/o.json', null, 'https://j/1/artifact/s.json'],
                [options.summaryFile, options.regionOutcomes, options.failureMessage, options.summaryUrl])
        assertEquals('no summary was written (see the console log)', ReportRequest.notifyOptions(config, false, '/w/', build).failureMessage)
    }

    @Test
    void 'fromStep takes the notification options of a step and the run'() {
        Map config = [environment: 'dev', dryRun: true, email: 'a', emailCc: 'b', slackChannel: '#c', reportTimeoutMinutes: 7, region: 'x', descriptionFormat: 'html']
        Map args = ReportRequest.fromStep(config, [kind: 'restore'])
        assertEquals([environment: 'dev', dryRun: true, slackChannel: '#c', slackWebhookCredentialsId: null, email: 'a', emailCc: 'b',
                      runbookUrl: null, nodejs: null, startedBy: null, descriptionFormat: 'html', timeoutMinutes: 7, kind: 'restore'], args)
    }
}
