package testsupport

import groovy.json.JsonOutput

/**
 * Plays the engine's CLI contract for unit tests: answers the sh calls of ssmBackupEngine by writing the files the
 * engine writes (plan output, the one summary file, restore_summary.json, error file) from the SSM_BACKUP_* environment. `backup` follows
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
    /**
     * Member accounts (a multi-account plan): [[accountId:, alias:?, regions: [...], failure:?]]. A unit is keyed
     * `{accountId}/{region}`; failures, timeouts, throwing... take unit keys then.
     */
    List<Map> accounts = null
    /** unit key -> exception thrown after the engine recorded the unit as running (an interrupted branch). */
    Map<String, Throwable> interrupting = [:]
    /** restore: what the plan holds (names per action, differs name -> fields); the summary's counts and writeCount follow. */
    Map restorePlan = [create: ['/app/a'], update: [], unchanged: ['/app/b'], differs: ['/app/c': 'value differs, Description'], delete: []]
    /** restore --apply: [name:, error:] of parameters that fail (exit 1). */
    List<Map> restoreFailures = []
    /** restore: the engine refuses before writing a summary (the error file's content; exitCode is the exit code). */
    Map restoreError = null
    /** list --output json: the archives of the region, newest first (ts/contract/archive-list.ts). */
    List<Map> archives = [
            [key: '2026-11-29/ssm-backup-dev-us-west-2-20261129_020000.tar.gz', createdAt: '2026-11-29T02:00:00.000Z', latest: false, refused: true, parameterCount: 3],
            [key: '2026-11-28/ssm-backup-dev-us-west-2-20261128_020000.tar.gz', createdAt: '2026-11-28T02:00:00.000Z', latest: true, refused: false, parameterCount: 120],
            [key: '2026-11-27/ssm-backup-dev-us-west-2-20261127_020000.tar.gz', createdAt: '2026-11-27T02:00:00.000Z', latest: false, refused: false, parameterCount: null]]
    /** list: the engine fails (the error file's message; exit 1). */
    String listError = null
    /** false: the restore summary has no writeCount (an engine older than the library). */
    boolean restoreWriteCount = true
    int nodeCheckStatus = 0
    int notifyStatus = 0
    /** Exit code of `check` (1: a check FAILed; the engine's error file then says so). */
    int checkStatus = 0
    /** Exit code of `status`: 0 every region OK, 1 a region STALE or FAILING (both write the chart and the page). */
    int statusExit = 0
    /** status: the engine fails before writing anything ([exitCode:, message:] of its error file). */
    Map statusCrash = null
    /** Runs an sh call for real (set by PipelineTestCase to the harness). */
    Closure runForReal
    final List<ShCall> calls = []
    final List<Map> webhookPosts = []

    /** region -> [exitCode:, message:]: the engine is killed while backing it up (its entry left as running: FAILED/interrupted). */
    Map<String, Map> killed = [:]
    /** The agent-side deadline prefix of ssmBackupEngine (coreutils timeout), stripped before matching a command. */
    static final String DEADLINE = 'timeout -k 30 "$SSM_ENGINE_DEADLINE_SEC" '

    Object handle(ShCall call) {
        calls << call
        if (call.script.startsWith('command -v node')) {
            return nodeCheckStatus
        }
        switch (call.script - DEADLINE) {
            case 'node "$SSM_ENGINE_CJS" plan': return plan(call.env)
            case 'node "$SSM_ENGINE_CJS" backup': return backup(call.env)
            case 'node "$SSM_ENGINE_CJS" notify': return notify(call)
            case 'node "$SSM_ENGINE_CJS" restore': return restore(call.env)
            case 'node "$SSM_ENGINE_CJS" list': return list(call.env)
            case 'node "$SSM_ENGINE_CJS" check': return checkStatus == 0 ? 0 : fail(call.env, checkStatus, 'region', 'A check FAILed; see the table', null)
            case 'node "$SSM_ENGINE_CJS" status': return status(call.env)
            case 'node "$SSM_ENGINE_CJS" merge-summaries': return runForReal.call(call)
            default: throw new AssertionError("unexpected sh script: ${call.script}")
        }
    }

    List<ShCall> engineCalls(String command) { calls.findAll { it.script - DEADLINE == "node \"\$SSM_ENGINE_CJS\" ${command}".toString() } }

    private int plan(Map env) {
        if (planError) {
            return fail(env, 2, 'config', planError.message, null)
        }
        if (accounts != null) {
            return accountsPlan(env)
        }
        List planned = env.SSM_BACKUP_REGIONS ? env.SSM_BACKUP_REGIONS.split(',').toList() : regions
        write(env.SSM_BACKUP_OUTPUT_FILE, [environment: env.SSM_BACKUP_ENVIRONMENT, homeRegion: homeRegion, defaultRegion: homeRegion,
                regions: planned, buckets: planned.collectEntries { [(it): "bucket-${it}".toString()] }, legacyBucket: "bucket-${homeRegion}",
                legacyBucketMatches: true, warnings: []])
        0
    }

    /** plan with an accounts parameter: each account's plan (or failure) and the units; exit 1 when an account failed. */
    private int accountsPlan(Map env) {
        List units = accounts.collectMany { Map a -> a.regions.collect { "${a.accountId}/${it}".toString() } }
        write(env.SSM_BACKUP_OUTPUT_FILE, [environment: env.SSM_BACKUP_ENVIRONMENT, homeRegion: homeRegion, units: units,
                accounts: accounts.collect { Map a ->
                    Map entry = [accountId: a.accountId, roleArn: "arn:aws:iam::${a.accountId}:role/jenkins-ssm-backup".toString()]
                    entry += a.alias ? [alias: a.alias] : [:]
                    entry + (a.failure ? [failure: a.failure] : [plan: [regions: a.regions, buckets: [:]]])
                }])
        accounts.any { it.failure } ? 1 : 0
    }

    /** The unit a backup call was given: `{accountId}/{region}` with --accounts, else the region. */
    private static String unitOf(Map env) {
        env.SSM_BACKUP_ACCOUNTS ? "${env.SSM_BACKUP_ACCOUNTS}/${env.SSM_BACKUP_REGIONS}".toString() : env.SSM_BACKUP_REGIONS
    }

    private int backup(Map env) {
        String region = unitOf(env)
        if (crashes[region]) {
            return fail(env, crashes[region].exitCode as int, 'usage', crashes[region].message, null)
        }
        Map handedPlan = env.SSM_BACKUP_PLAN_FILE ? OrderedJson.parse(new File(env.SSM_BACKUP_PLAN_FILE.toString()).text) : [:]
        String environment = handedPlan.environment ?: env.SSM_BACKUP_ENVIRONMENT
        File file = new File(env.SSM_BACKUP_SUMMARY_FILE.toString())
        boolean keeps = env.SSM_BACKUP_PLAN_FILE || env.SSM_BACKUP_SUMMARY_FRAGMENT
        Map summaries = keeps && file.exists() ? OrderedJson.parse(file.text) : [:]
        if (env.SSM_BACKUP_PLAN_FILE && !file.exists() && !env.SSM_BACKUP_ACCOUNTS) {
            handedPlan.regions.each { summaries[it] = notStarted('not started') }
        }
        if (throwing[region]) {
            throw throwing[region]
        }
        String failed = summaries.find { it.key != region && it.value.status in ['FAILED', 'TIMED_OUT'] }?.key
        if (failed && env.SSM_BACKUP_FAIL_FAST == 'true') {
            return record(env, summaries, region, notStarted("not started: ${failed} failed (fail-fast; failFast: false backs up every region)".toString()), 0)
        }
        Map running = [status: 'FAILED', parameterCount: 0, artifactPath: null, executionTimeSec: 0, failureCategory: 'interrupted',
                failureMessage: "${region} did not finish: the engine was stopped (build aborted, Jenkins timeout or killed); latest.txt was not moved by it".toString(),
                runningPid: 99999]
        if (killed[region]) {
            return record(env, summaries, region, running, killed[region].exitCode as int)
        }
        if (interrupting[region]) {
            record(env, summaries, region, running, 0)
            throw interrupting[region]
        }
        Map entry = outcome(region, environment, env.SSM_BACKUP_DRY_RUN == 'true', env.SSM_BACKUP_REGION_TIMEOUT)
        if (env.SSM_BACKUP_ACCOUNTS) {
            entry = [status: entry.status, accountId: env.SSM_BACKUP_ACCOUNTS, region: env.SSM_BACKUP_REGIONS] + entry
        }
        record(env, summaries, region, entry, entry.status == 'SUCCESS' ? 0 : 1)
    }

    /** Writes the unit's entry to the summary file and, with --summary-fragment, alone to the fragment; exit code. */
    private int record(Map env, Map summaries, String key, Map entry, int exitCode) {
        summaries[key] = entry
        write(env.SSM_BACKUP_SUMMARY_FILE, summaries)
        if (env.SSM_BACKUP_SUMMARY_FRAGMENT) {
            write(env.SSM_BACKUP_SUMMARY_FRAGMENT, [(key): entry])
        }
        exitCode == 1 ? fail(env, 1, 'region', 'One or more regions failed; see the summary file', null) : exitCode
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
        String r = region.contains('/') ? region.split('/')[1] : region
        String artifact = "s3://bucket-${r}/2026-11-28/ssm-backup-${environment}-${r}-20261128_130000.tar.gz"
        Map ok = [status: 'SUCCESS', parameterCount: 12, artifactPath: dryRun ? null : artifact, executionTimeSec: 252.32,
                  bucket: "bucket-${r}".toString(), drift: [added: 2, removed: 0, changed: 1, previousCount: 10, previousArchive: 'prev.tar.gz']]
        ok += dryRun ? [dryRun: true] : [archiveBytes: 2048]
        return warnings[region] ? ok + [warnings: warnings[region]] : ok
    }

    /** list --output json --output-file: {bucket, region, archives} (size, lastModified and indexed as the engine adds them). */
    private int list(Map env) {
        if (listError) {
            return fail(env, 1, 'aws', listError, null)
        }
        assert env.SSM_BACKUP_OUTPUT == 'json'
        List full = archives.collect { it + [size: 1000, lastModified: it.createdAt, indexed: true] }
        write(env.SSM_BACKUP_OUTPUT_FILE, [bucket: "ssm-backup-${env.SSM_BACKUP_ENVIRONMENT}-${env.SSM_BACKUP_REGION}".toString(), region: env.SSM_BACKUP_REGION, archives: full])
        0
    }

    /** restore_summary.json as the engine writes it: plan (mode plan) or what was applied; writeCount = create + update + delete. */
    private int restore(Map env) {
        if (restoreError) {
            return fail(env, restoreError.exitCode as int, restoreError.category as String, restoreError.message as String, null)
        }
        boolean apply = env.SSM_BACKUP_APPLY == 'true'
        Map p = restorePlan
        Map summary = [mode: apply ? 'apply' : 'plan', sourceRegion: env.SSM_BACKUP_REGION, targetRegion: env.SSM_BACKUP_TARGET_REGION ?: env.SSM_BACKUP_REGION,
                archive: [key: env.SSM_BACKUP_ARCHIVE == 'latest' ? '2026-11-28/a.tar.gz' : env.SSM_BACKUP_ARCHIVE, verified: true],
                counts: [create: p.create.size(), update: p.update.size(), unchanged: p.unchanged.size(), differs: p.differs.size() - p.update.size(),
                         delete: p.delete.size()],
                planned: p, created: apply ? p.create - restoreFailures*.name : [], updated: [], deleted: apply ? p.delete : [],
                failed: apply ? restoreFailures : []]
        if (env.SSM_BACKUP_ACCOUNT) {
            summary += [sourceAccountId: env.SSM_BACKUP_ACCOUNT, targetAccountId: env.SSM_BACKUP_TARGET_ACCOUNT ?: env.SSM_BACKUP_ACCOUNT]
        }
        if (restoreWriteCount) {
            summary.writeCount = p.create.size() + p.update.size() + p.delete.size()
        }
        write(env.SSM_BACKUP_SUMMARY_FILE, summary)
        apply && restoreFailures ? fail(env, 1, 'region', 'Some parameters failed or are pending: see restore_summary.json (failed, pending)', null) : 0
    }

    /** status --output html --output-file PAGE --chart SVG: both files (a marker each), or the crash's error file. */
    private int status(Map env) {
        if (statusCrash) {
            return fail(env, statusCrash.exitCode as int, 'config', statusCrash.message as String, null)
        }
        assert env.SSM_BACKUP_OUTPUT == 'html'
        new File(env.SSM_BACKUP_OUTPUT_FILE.toString()).with { parentFile.mkdirs(); text = "<html>status ${env.SSM_BACKUP_ENVIRONMENT}</html>" }
        new File(env.SSM_BACKUP_CHART.toString()).with { parentFile.mkdirs(); text = '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }
        statusExit == 0 ? 0 : fail(env, statusExit, 'region', 'A region is not OK (STALE or FAILING): see the status output, each row names its reason', null)
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
