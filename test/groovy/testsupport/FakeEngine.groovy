package testsupport

import groovy.json.JsonOutput

/**
 * Plays the engine's CLI contract for unit tests: answers the sh calls of ssmBackupEngine by writing the
 * files the real engine writes (plan output, summary file, error file) from the SSM_BACKUP_* environment.
 */
class FakeEngine {
    List<String> regions = ['ap-northeast-1', 'us-west-2']
    String homeRegion = 'ap-northeast-1'
    /** region -> failure message: that region's backup fails with exit code 1. */
    Map<String, String> failures = [:]
    /** region -> exception thrown while backing it up (e.g. InterruptedException for an abort). */
    Map<String, Throwable> throwing = [:]
    Map planError = null
    int nodeCheckStatus = 0
    int notifyStatus = 0
    final List<ShCall> calls = []

    Object handle(ShCall call) {
        calls << call
        if (call.script.startsWith('command -v node')) {
            return nodeCheckStatus
        }
        switch (call.script) {
            case 'node "$SSM_ENGINE_CJS" plan': return plan(call.env)
            case 'node "$SSM_ENGINE_CJS" backup': return backup(call.env)
            case 'node "$SSM_ENGINE_CJS" notify': return notifyStatus == 0 ? 0 : fail(call.env, notifyStatus, 'notify', 'Slack answered HTTP 500', null)
            default: throw new AssertionError("unexpected sh script: ${call.script}")
        }
    }

    List<ShCall> engineCalls(String command) { calls.findAll { it.script == "node \"\$SSM_ENGINE_CJS\" ${command}".toString() } }

    private int plan(Map env) {
        if (planError) {
            return fail(env, 2, 'config', planError.message, null)
        }
        List planned = env.SSM_BACKUP_REGIONS ? env.SSM_BACKUP_REGIONS.split(',').toList() : regions
        write(env.SSM_BACKUP_OUTPUT, [environment: env.SSM_BACKUP_ENVIRONMENT, homeRegion: homeRegion, defaultRegion: homeRegion,
                regions: planned, buckets: planned.collectEntries { [(it): "bucket-${it}".toString()] }, legacyBucket: "bucket-${homeRegion}",
                legacyBucketMatches: true, warnings: []])
        0
    }

    private int backup(Map env) {
        String region = env.SSM_BACKUP_REGIONS
        if (throwing[region]) {
            throw throwing[region]
        }
        String failure = failures[region]
        Map summary = failure ?
                [status: 'FAILED', parameterCount: 0, artifactPath: null, executionTimeSec: 0.1, failureMessage: failure] :
                [status: 'SUCCESS', parameterCount: 12, executionTimeSec: 1.2,
                 artifactPath: "s3://bucket-${region}/2026-11-28/ssm-backup-${env.SSM_BACKUP_ENVIRONMENT}-${region}-20261128_130000.tar.gz".toString()]
        write(env.SSM_BACKUP_SUMMARY_FILE, [(region): summary])
        failure ? fail(env, 1, 'region', failure, region) : 0
    }

    private static int fail(Map env, int code, String category, String message, String region) {
        write(env.SSM_BACKUP_ERROR_FILE, [exitCode: code, category: category, message: message] + (region ? [region: region] : [:]))
        code
    }

    private static void write(Object path, Object json) {
        new File(path.toString()).with { parentFile.mkdirs(); text = JsonOutput.toJson(json) }
    }
}
