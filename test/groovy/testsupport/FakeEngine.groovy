package testsupport

import groovy.json.JsonOutput

/**
 * Plays the engine's CLI contract for unit tests: answers the sh calls of ssmBackupEngine by writing the files the
 * engine writes (plan output, the one summary file, error file) from the SSM_BACKUP_* environment. `backup` follows
 * the contract proposed for the engine (--plan-file, one summary file merged per region in plan order, engine-side
 * fail-fast skip, TIMED_OUT). `notify` runs the real committed bundle (the report is the engine's rendering), except
 * that a webhook post (SLACK_WEBHOOK_URL bound) is only recorded.
 */
class FakeEngine {
    List<String> regions = ['ap-northeast-1', 'us-west-2']
    String homeRegion = 'ap-northeast-1'
    /** region -> failure message: that region's backup fails with exit code 1. */
    Map<String, String> failures = [:]
    /** region -> failureCategory of that failure (e.g. guard). */
    Map<String, String> categories = [:]
    /** regions stopped at their deadline (TIMED_OUT, exit code 1). */
    List<String> timeouts = []
    /** region -> warnings of a region that succeeded. */
    Map<String, List<String>> warnings = [:]
    /** region -> exception thrown while backing it up (e.g. InterruptedException for an abort). */
    Map<String, Throwable> throwing = [:]
    /** region -> [exitCode:, message:]: the engine stops before recording the region (e.g. a usage error). */
    Map<String, Map> crashes = [:]
    Map planError = null
    int nodeCheckStatus = 0
    int notifyStatus = 0
    /** Exit code of `check` (1: a check FAILed; the engine's error file then says so). */
    int checkStatus = 0
    /** Runs an sh call for real (set by PipelineTestCase to the harness). */
    Closure runForReal
    final List<ShCall> calls = []
    final List<Map> webhookPosts = []

    Object handle(ShCall call) {
        calls << call
        if (call.script.startsWith('command -v node')) {
            return nodeCheckStatus
        }
        switch (call.script) {
            case 'node "$SSM_ENGINE_CJS" plan': return plan(call.env)
            case 'node "$SSM_ENGINE_CJS" backup': return backup(call.env)
            case 'node "$SSM_ENGINE_CJS" notify': return notify(call)
            case 'node "$SSM_ENGINE_CJS" check': return checkStatus == 0 ? 0 : fail(call.env, checkStatus, 'region', 'A check FAILed; see the table', null)
            default: throw new AssertionError("unexpected sh script: ${call.script}")
        }
    }

    List<ShCall> engineCalls(String command) { calls.findAll { it.script == "node \"\$SSM_ENGINE_CJS\" ${command}".toString() } }

    private int plan(Map env) {
        if (planError) {
            return fail(env, 2, 'config', planError.message, null)
        }
        List planned = env.SSM_BACKUP_REGIONS ? env.SSM_BACKUP_REGIONS.split(',').toList() : regions
        write(env.SSM_BACKUP_OUTPUT_FILE, [environment: env.SSM_BACKUP_ENVIRONMENT, homeRegion: homeRegion, defaultRegion: homeRegion,
                regions: planned, buckets: planned.collectEntries { [(it): "bucket-${it}".toString()] }, legacyBucket: "bucket-${homeRegion}",
                legacyBucketMatches: true, warnings: []])
        0
    }

    private int backup(Map env) {
        String region = env.SSM_BACKUP_REGIONS
        if (crashes[region]) {
            return fail(env, crashes[region].exitCode as int, 'usage', crashes[region].message, null)
        }
        Map plan = OrderedJson.parse(new File(env.SSM_BACKUP_PLAN_FILE.toString()).text)
        File file = new File(env.SSM_BACKUP_SUMMARY_FILE.toString())
        Map summaries = file.exists() ? OrderedJson.parse(file.text) : plan.regions.collectEntries { [(it): notStarted('not started')] }
        if (throwing[region]) {
            throw throwing[region]
        }
        String failed = summaries.find { it.key != region && it.value.status in ['FAILED', 'TIMED_OUT'] }?.key
        if (failed && env.SSM_BACKUP_FAIL_FAST == 'true') {
            summaries[region] = notStarted("not started: ${failed} failed (fail-fast; failFast: false backs up every region)".toString())
            write(file, summaries)
            return 0
        }
        summaries[region] = outcome(region, plan.environment, env.SSM_BACKUP_DRY_RUN == 'true', env.SSM_BACKUP_REGION_TIMEOUT)
        write(file, summaries)
        summaries[region].status == 'SUCCESS' ? 0 : fail(env, 1, 'region', 'One or more regions failed; see the summary file', null)
    }

    private Map outcome(String region, String environment, boolean dryRun, Object timeoutSec) {
        if (region in timeouts) {
            return [status: 'TIMED_OUT', parameterCount: 0, artifactPath: null, executionTimeSec: timeoutSec as double,
                    failureMessage: "Stopped at the ${timeoutSec}s deadline (regionTimeoutMinutes) after collecting 7000 parameters".toString()]
        }
        if (failures[region]) {
            Map failed = [status: 'FAILED', parameterCount: 0, artifactPath: null, executionTimeSec: 0.4, failureMessage: failures[region]]
            return categories[region] ? failed + [failureCategory: categories[region]] : failed
        }
        String artifact = "s3://bucket-${region}/2026-11-28/ssm-backup-${environment}-${region}-20261128_130000.tar.gz"
        Map ok = [status: 'SUCCESS', parameterCount: 12, artifactPath: dryRun ? null : artifact, executionTimeSec: 252.32,
                  bucket: "bucket-${region}".toString(), drift: [added: 2, removed: 0, changed: 1, previousCount: 10, previousArchive: 'prev.tar.gz']]
        ok += dryRun ? [dryRun: true] : [archiveBytes: 2048]
        return warnings[region] ? ok + [warnings: warnings[region]] : ok
    }

    private static Map notStarted(String why) {
        [status: 'SKIPPED', parameterCount: 0, artifactPath: null, executionTimeSec: 0, failureMessage: why]
    }

    private Object notify(ShCall call) {
        if (call.env.SLACK_WEBHOOK_URL) {
            webhookPosts << new LinkedHashMap(call.env)
            return notifyStatus == 0 ? 0 : fail(call.env, notifyStatus, 'notify', 'Slack webhook answered HTTP 500 after 2 attempts', null)
        }
        runForReal.call(call)
    }

    private static int fail(Map env, int code, String category, String message, String region) {
        write(env.SSM_BACKUP_ERROR_FILE, [exitCode: code, category: category, message: message] + (region ? [region: region] : [:]))
        code
    }

    private static void write(Object path, Object json) {
        new File(path.toString()).with { parentFile.mkdirs(); text = JsonOutput.toJson(json) }
    }
}
