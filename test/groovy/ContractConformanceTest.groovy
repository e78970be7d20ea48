import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue

import groovy.json.JsonSlurper
import org.junit.Test
import org.ssmbackup.BackupRun
import org.ssmbackup.BuildPage
import org.ssmbackup.RegionOutcome
import testsupport.PipelineHarness

/**
 * The Groovy side reads only what the engine's contract declares (issue 17, rule 1). test/fixtures/contract.json is
 * generated from ts/contract/ by `npm run docs` (test/contract/contract.test.ts fails when it drifts from the
 * TypeScript); this test fails when vars/ or src/ read a file, field or status the contract does not declare.
 *
 * Field reads are found by the variable names the steps use for each shape: `entry` (a region_summaries.json entry),
 * `summary` (restore_summary.json), `planned` (its plan), `report` (report.json), `error` (the error file), `plan` (the
 * plan file, either shape), `account` (an account of a multi-account plan), `plot` (a report.json `plots` entry). A read
 * through another name is not seen: keep these names when adding code.
 */
class ContractConformanceTest {
    static final Map CONTRACT = new JsonSlurper().parse(new File(PipelineHarness.ROOT, 'test/fixtures/contract.json')) as Map

    /** Property names read as `<name>.x` or `<name>?.x` in vars/ and src/, by variable name. */
    static Map<String, Set<String>> reads() {
        Map<String, Set<String>> found = [:].withDefault { [] as SortedSet }
        List<File> files = []
        new File(PipelineHarness.ROOT, 'vars').eachFileRecurse { if (it.name.endsWith('.groovy')) files << it }
        new File(PipelineHarness.ROOT, 'src').eachFileRecurse { if (it.name.endsWith('.groovy')) files << it }
        for (File f in files) {
            (f.text =~ /\b(entry|summary|planned|report|error|plan|account|plot)\??\.([a-zA-Z]+)\b/).each { List m -> found[m[1]] << m[2] }
        }
        return found
    }

    static void declared(String what, Collection<String> read, Collection<String> allowed) {
        Set<String> unknown = (read - allowed) as SortedSet
        assertTrue("${what} read by vars/ or src/ but not declared in ts/contract (test/fixtures/contract.json): ${unknown}", unknown.isEmpty())
    }

    @Test
    void 'file names match the contract'() {
        assertTrue(BackupRun.SUMMARY_FILE.endsWith('/' + CONTRACT.backupSummary.file))
        String restore = new File(PipelineHarness.ROOT, 'vars/ssmMultiRegionRestore.groovy').text
        assertTrue('the restore step names ' + CONTRACT.restoreSummary.file, restore.contains("/${CONTRACT.restoreSummary.file}'"))
        String report = new File(PipelineHarness.ROOT, 'vars/ssmBackupReport.groovy').text
        assertTrue('ssmBackupReport reads ' + CONTRACT.report.file, report.contains("/${CONTRACT.report.file}"))
    }

    @Test
    void 'every field the steps read is declared'() {
        Map<String, Set<String>> read = reads()
        assertTrue('the scan finds the summary entry reads (status, failureMessage)', read.entry.containsAll(['status', 'failureMessage']))
        declared('region_summaries.json entry fields', read.entry, CONTRACT.backupSummary.fields)
        declared('restore_summary.json fields', read.summary, CONTRACT.restoreSummary.fields)
        declared('restore plan fields', read.planned, CONTRACT.restoreSummary.plannedFields)
        declared('report.json fields', read.report - ['json', 'ts'], CONTRACT.report.fields)
        declared('error file fields', read.error - ['json'], CONTRACT.errorFile.fields)
        assertTrue('the scan finds the plan reads (units, accounts)', read.plan.containsAll(['units', 'accounts']))
        declared('plan file fields', read.plan - ['json'], CONTRACT.plan.fields + CONTRACT.plan.multiAccountFields)
        declared('plan file account fields', read.account, CONTRACT.plan.accountFields)
        assertTrue('the scan finds the plot reads (file, title, yaxis)', read.plot.containsAll(['file', 'title', 'yaxis']))
        declared('report.json plots fields', read.plot, CONTRACT.report.plotFields)
    }

    @Test
    void 'the status view, its exit codes and the description formats are those of the contract'() {
        assertEquals(BuildPage.REPORT_DIR + '/' + CONTRACT.status.chartFile, BuildPage.CHART_FILE)
        assertEquals(BuildPage.REPORT_DIR + '/' + CONTRACT.status.pageFile, BuildPage.PAGE_FILE)
        assertEquals(CONTRACT.status.exitCodes.notOk, BuildPage.STATUS_NOT_OK)
        assertEquals(CONTRACT.report.descriptionFormats, BuildPage.DESCRIPTION_FORMATS)
        assertTrue('report.json declares buildDescription and plots', CONTRACT.report.fields.containsAll(['buildDescription', 'plots']))
        for (String file in CONTRACT.report.plotFiles) {
            assertTrue("${file} is archived", java.nio.file.FileSystems.default.getPathMatcher("glob:{${BuildPage.ARTIFACTS}}").matches(
                    java.nio.file.Paths.get("${BuildPage.REPORT_DIR}/${file}")))
        }
    }

    @Test
    void 'RegionOutcome knows every status the engine writes, and hands notify only what it accepts'() {
        String source = new File(PipelineHarness.ROOT, 'src/org/ssmbackup/RegionOutcome.groovy').text
        Set<String> compared = (source =~ /entry\??\.status\s*==\s*'([A-Z_]+)'/).collect { it[1] } as Set
        declared('statuses compared in RegionOutcome', compared, CONTRACT.backupSummary.statuses)
        for (String status in CONTRACT.backupSummary.statuses) {
            assertTrue("RegionOutcome decides ${status}", source.contains("'${status}'"))
        }
        Map outcomes = RegionOutcome.reportEntries(['a', 'b', 'c'], [
                a: RegionOutcome.of('a', null, [exitCode: 2, error: [message: 'refused']], false, false),
                b: RegionOutcome.of('b', null, null, true, false),
                c: RegionOutcome.of('c', null, [exitCode: 124, deadlineMinutes: 12], false, false)])
        assertEquals(['a', 'b', 'c'], outcomes.keySet() as List)
        for (Map o in outcomes.values()) {
            assertTrue("${o.status} is a status notify --region-outcomes accepts", o.status in CONTRACT.regionOutcomes.statuses)
            assertEquals(CONTRACT.regionOutcomes.fields as Set, o.keySet())
        }
    }
}
