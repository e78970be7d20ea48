package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * The one rule for what a backup run achieved (issue 20; design: "a region counts as backed up only when its archive
 * exists and its summary says so").
 *
 * A region is SUCCESS only when the engine's entry in region_summaries.json says SUCCESS with an archive (a dry run:
 * SUCCESS marked dryRun). The engine's own verdicts FAILED and TIMED_OUT stand as recorded; SKIPPED stands only when the
 * engine decided it (fail-fast, exit code 0). Every other outcome is named for what it is, with its cause:
 * - the build was aborted before or while the region ran: ABORTED;
 * - the agent-side deadline killed the engine (coreutils `timeout` exit 124, or 137 after -k): TIMED_OUT;
 * - the engine exited non-zero without a final entry (refusal exit 2, crash, killed), or recorded nothing: FAILED.
 * Never NOT_BUILT, never a SKIPPED the engine did not decide.
 *
 * Outcome map: [status: SUCCESS|FAILED|TIMED_OUT|ABORTED|SKIPPED, stageResult: SUCCESS|UNSTABLE|FAILURE|ABORTED|NOT_BUILT,
 * message: one line for the stage (null for a clean SUCCESS), cause: why (null for SUCCESS), recorded: true when the
 * engine's entry says it as is (false: the report must be told, see reportEntries)].
 */
class RegionOutcome implements Serializable {
    private static final long serialVersionUID = 1L
    /** Exit status of coreutils `timeout` when it stopped the command (TERM), and after `-k` (KILL). */
    static final List<Integer> AGENT_DEADLINE_EXITS = [124, 137]

    /**
     * @param entry the engine's entry for the region (null: none)
     * @param engine null when the engine was not started for the region, else [exitCode: Integer (null: interrupted while
     *        it ran), error: the engine's error file Map or null, deadlineMinutes: the agent-side deadline]
     * @param aborted the build was aborted before or while the region ran
     */
    @NonCPS
    static Map of(String region, Map entry, Map engine, boolean aborted, boolean dryRun) {
        Integer exitCode = engine?.exitCode as Integer
        if (entry?.status == 'SUCCESS' && (dryRun ? entry.dryRun == true : entry.artifactPath)) {
            return success(region, entry, exitCode, engine?.error?.message as String)
        }
        if (entry?.status == 'TIMED_OUT' || (entry?.status == 'FAILED' && entry.failureCategory != 'interrupted')) {
            return outcome(region, entry.status as String, 'FAILURE', (entry.failureMessage ?: 'no cause recorded') as String, true)
        }
        if (aborted) {
            String why = engine == null ? 'not started: the build was aborted (by a user or a Jenkins timeout)' :
                    'the build was aborted (by a user or a Jenkins timeout) while it ran; latest.txt was not moved by it'
            return outcome(region, 'ABORTED', 'ABORTED', why, false)
        }
        if (exitCode in AGENT_DEADLINE_EXITS) {
            String why = "stopped by the agent-side deadline (${engine.deadlineMinutes} min): the engine did not end at its own " +
                    '--region-timeout; latest.txt was not moved by it'
            return outcome(region, 'TIMED_OUT', 'FAILURE', why, false)
        }
        if (entry?.status == 'SKIPPED' && exitCode == 0 && entry.failureMessage != 'not started') {
            return outcome(region, 'SKIPPED', 'NOT_BUILT', (entry.failureMessage ?: 'skipped') as String, true)
        }
        return outcome(region, 'FAILED', 'FAILURE', failureCause(entry, exitCode, engine?.error?.message as String, dryRun), false)
    }

    /**
     * Outcomes for the planned regions that have none (the run stopped before their stage): ABORTED after an abort,
     * else FAILED with why the run stopped. Returns a new Map, in plan order.
     */
    @NonCPS
    static Map completed(List regions, Map outcomes, boolean aborted, String stopped) {
        Map all = [:]
        for (String region in regions) {
            all[region] = outcomes[region] ?: (aborted ? of(region, null, null, true, false) :
                    outcome(region, 'FAILED', 'FAILURE', "not started: the run stopped (${stopped ?: 'no cause recorded'})".toString(), false))
        }
        return all
    }

    /** The build's result from every configured region's outcome: the worst wins; no region at all is a FAILURE. */
    @NonCPS
    static Map buildResult(List regions, Map outcomes) {
        if (!regions) {
            return [result: 'FAILURE', cause: 'no region ran: the plan named no region']
        }
        List<Map> all = regions.collect { outcomes[it] ?: [status: 'FAILED', stageResult: 'FAILURE', cause: 'no outcome recorded'] }
        Map aborted = all.find { it.status == 'ABORTED' }
        if (aborted) {
            return [result: 'ABORTED', cause: aborted.cause]
        }
        Map failed = all.find { it.status != 'SUCCESS' }
        if (failed) {
            return [result: 'FAILURE', cause: failed.cause]
        }
        return [result: all.any { it.stageResult == 'UNSTABLE' } ? 'UNSTABLE' : 'SUCCESS', cause: null]
    }

    /** {region: {status, failureMessage}} for the outcomes the summary does not show (the notify command's --region-outcomes). */
    @NonCPS
    static Map reportEntries(List regions, Map outcomes) {
        Map entries = [:]
        for (String region in regions) {
            Map o = outcomes[region]
            if (o != null && !o.recorded) {
                entries[region] = [status: o.status, failureMessage: o.cause]
            }
        }
        return entries
    }

    @NonCPS
    private static Map success(String region, Map entry, Integer exitCode, String error) {
        List<String> warnings = (entry.warnings ?: []) as List<String>
        if (exitCode != null && exitCode != 0) {
            warnings = warnings + ["the engine exited with code ${exitCode} after recording SUCCESS: ${error ?: 'no message'}".toString()]
        }
        Map done = outcome(region, 'SUCCESS', warnings ? 'UNSTABLE' : 'SUCCESS', null, true)
        return warnings ? done + [message: "${region}: ${warnings.join('; ')}".toString()] : done
    }

    @NonCPS
    private static String failureCause(Map entry, Integer exitCode, String error, boolean dryRun) {
        String exited = exitCode != null && exitCode != 0 ? "the engine exited with code ${exitCode}" : null
        if (entry?.status == 'SUCCESS') {
            return dryRun ? 'the engine recorded SUCCESS that is not a dry run' : 'the engine recorded SUCCESS without an archive'
        }
        if (error) {
            return exited ? "${exited}: ${error}".toString() : error
        }
        if (entry?.failureCategory == 'interrupted') {
            return "${exited ?: 'the engine stopped'}: ${entry.failureMessage}".toString()
        }
        if (entry == null || entry.failureMessage == 'not started') {
            return exited ? "${exited} before it recorded the region" : 'the engine recorded nothing for it'
        }
        return "${exited ?: 'the engine exited 0'} and left it ${entry.status}: ${entry.failureMessage}".toString()
    }

    @NonCPS
    private static Map outcome(String region, String status, String stageResult, String cause, boolean recorded) {
        String message = cause == null ? null : "${region} ${status}: ${cause}".toString()
        return [status: status, stageResult: stageResult, message: message, cause: cause, recorded: recorded]
    }
}
