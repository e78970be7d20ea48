import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import org.junit.AfterClass
import org.junit.Before
import org.junit.BeforeClass
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import testsupport.LocalAws
import testsupport.OrderedJson
import testsupport.PipelineHarness
import testsupport.ShCall

/**
 * ssmMultiRegionBackup across accounts and agents end to end (issue 21): the committed engine bundle runs every `sh`
 * for real against local-aws, which models an organisation: the central account (the agents' credentials) holds the
 * accounts parameter; three member accounts hold their own configuration, buckets, keys and parameters in two regions,
 * and a backup role trusting the central account with an external id. `parallel: 3` branches run on labelled agents,
 * each unit on a node with a workspace of its own (the harness hands files only by stash/unstash).
 */
class SsmMultiRegionBackupAccountsEndToEndTest {
    static final File BUNDLE = new File(PipelineHarness.ROOT, 'resources/ssm-multi-region-backup/ssm-backup.cjs')
    static final String ENV = 'prod'
    static final String HOME = 'ap-northeast-1'
    static final String CENTRAL_USER = 'arn:aws:iam::123456789012:user/local'
    static final List<String> REGIONS = ['ap-northeast-1', 'us-west-2']
    static final List<String> MEMBERS = ['111111111111', '222222222222', '333333333333']
    static final List<String> UNITS = MEMBERS.collectMany { String a -> REGIONS.collect { "${a}/${it}".toString() } }
    static final List<String> STAGES = UNITS.collect { "Backup ${it.replace('111111111111', 'payments-prod').replace('/', ' ')}".toString() }
    static final String SECRET = 'S3cr3t-accounts-e2e'
    static final Map OPTIONS = [environment: ENV, parallel: 3, agentLabel: 'ssm']

    @ClassRule
    public static TemporaryFolder shared = new TemporaryFolder()
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    static LocalAws aws
    PipelineHarness harness

    @BeforeClass
    static void startLocalAws() {
        assertTrue("${BUNDLE} is missing: run `node scripts/build.mjs` (the bundle is committed)".toString(), BUNDLE.file)
        aws = new LocalAws(seed(), shared.root)
    }

    @AfterClass
    static void stopLocalAws() {
        aws?.stop()
    }

    static String role(String account) { "arn:aws:iam::${account}:role/jenkins-ssm-backup-${ENV}".toString() }

    static String externalId(String account) { "ext-${account.take(4)}".toString() }

    static String bucket(String account, String region) { "e2e-ssm-backup-${ENV}-${account}-${region}".toString() }

    /** The parameters a member account holds in a region: its backup configuration and three of the application's. */
    static List<Map> parameters(String account, String region) {
        List<Map> params = []
        if (region == HOME) {
            params << [Name: "/jenkins/${ENV}/backup/region-list".toString(), Value: groovy.json.JsonOutput.toJson(REGIONS), Type: 'String']
            params << [Name: "/jenkins/${ENV}/backup/default-region".toString(), Value: HOME, Type: 'String']
        }
        params << [Name: "/jenkins/${ENV}/backup/${region}/s3-bucket-name".toString(), Value: bucket(account, region), Type: 'String']
        params << [Name: "/jenkins/${ENV}/backup/${region}/kms-key-arn".toString(), Value: "arn:aws:kms:${region}:${account}:alias/ssm-backup".toString(), Type: 'String']
        params << [Name: "/app/${account}/${region}/db/host".toString(), Value: "db.${region}.internal".toString(), Type: 'String']
        params << [Name: "/app/${account}/${region}/db/password".toString(), Value: secret(account, region), Type: 'SecureString']
        params << [Name: "/app/${account}/${region}/hosts".toString(), Value: 'a.example.com,b.example.com', Type: 'StringList']
        params
    }

    static String secret(String account, String region) { "${SECRET}-${account}-${region}".toString() }

    /** A member's backup role trusting the central account's agents, with that member's external id (or another). */
    static Map roles(String account, String id = externalId(account)) {
        [(account): [roles: [[roleArn: role(account), principals: [CENTRAL_USER], externalId: id]]]]
    }

    static Map seed() {
        Map accounts = MEMBERS.collectEntries { String a ->
            [(a): roles(a)[a] + [ssm: REGIONS.collectEntries { [(it): parameters(a, it)] },
                                 kmsKeys: REGIONS.collectEntries { [(it): [[keyId: "key-${a}-${it}".toString(), aliases: ['alias/ssm-backup']]]] }]]
        }
        List entries = MEMBERS.collect { [accountId: it, roleArn: role(it), externalId: externalId(it)] + (it == MEMBERS[0] ? [alias: 'payments-prod'] : [:]) }
        Map buckets = REGIONS.collectEntries { String r ->
            [(r): MEMBERS.collect { [name: bucket(it, r), owner: it, requireSse: true, settings: SsmMultiRegionBackupEndToEndTest.stackSettings(bucket(it, r))] }]
        }
        [accounts: accounts, buckets: buckets,
         ssm: [(HOME): [[Name: "/jenkins/${ENV}/backup/accounts".toString(), Value: groovy.json.JsonOutput.toJson(entries), Type: 'String']]]]
    }

    @Before
    void setUpHarness() {
        aws.seed([accounts: MEMBERS.collectEntries { roles(it) }])
        aws.clearFaults()
        harness = new PipelineHarness(tmp.newFolder('workspace'))
        harness.processEnv.putAll(aws.agentEnv(HOME) + [TMPDIR: tmp.newFolder('agent-tmp').path])
        harness.shHandler = { ShCall call -> harness.runForReal(call) }
        harness.registerAllowedMethod('junit') { Map spec -> harness.file(spec.testResults).text }
    }

    /** The workspace of the node allocated n-th (0: Initialize, 1-6: the units in plan order, 7: Finalize). */
    File agent(int n) { (File) harness.nodes[n].workspace }

    Map json(File file) { (Map) OrderedJson.parse(file.text) }

    Map merged() { json(new File(harness.nodes[-1].workspace as File, 'ssm-backup-work/region_summaries.json')) }

    Throwable runFailing(Map options) {
        try {
            harness.run('ssmMultiRegionBackup', options)
        } catch (Throwable t) {
            return t
        }
        throw new AssertionError((Object) "the build was expected to fail: ${harness.log}")
    }

    /** No SecureString value in the console, any step argument, or any file a build left (workspaces, temp dirs). */
    void assertNoSecretLeft() {
        List<String> places = []
        String console = harness.log.toString() + harness.allArgumentsText()
        places += console.contains(SECRET) ? ['the console or a step argument'] : []
        tmp.root.eachFileRecurse { File f -> if (f.file && f.getText('ISO-8859-1').contains(SECRET)) { places << f.path } }
        assertEquals('SecureString values found in', [], places)
    }

    @Test
    void 'six units of three accounts with parallel 3: each backed up on its own agent into its own account\'s bucket, the merged summary is what the branches wrote'() {
        Map before = aws.state().s3
        Map summaries = harness.run('ssmMultiRegionBackup', OPTIONS)

        assertEquals(['Initialize'] + STAGES + ['Finalize Report'], harness.stages)
        assertEquals([:], harness.stageResults)
        assertEquals(['ssm'] * 8, harness.nodes*.label)
        assertEquals(8, (harness.nodes*.workspace as Set).size())
        // each unit's agent holds the plan it was handed and its own fragment only: nothing of another workspace
        UNITS.eachWithIndex { String key, int i ->
            assertEquals(["${key.replace('/', '_')}.json".toString()], new File(agent(i + 1), 'ssm-backup-work/fragments').list().toList())
            assertTrue(new File(agent(i + 1), 'ssm-backup-work/plan.json').file)
        }
        Map branchesWrote = [:]
        UNITS.eachWithIndex { String key, int i -> branchesWrote.putAll(json(new File(agent(i + 1), "ssm-backup-work/fragments/${key.replace('/', '_')}.json"))) }
        Map merged = merged()
        assertEquals(UNITS, merged.keySet().toList())
        assertEquals(branchesWrote, merged)
        assertEquals(merged, summaries)

        Map after = aws.state().s3
        int total = 0
        UNITS.each { String key ->
            String account = key.split('/')[0], region = key.split('/')[1]
            Map entry = merged[key]
            assertEquals(harness.log.toString(), ['SUCCESS', account, region, parameters(account, region).size()],
                    [entry.status, entry.accountId, entry.region, entry.parameterCount])
            total += entry.parameterCount
            String prefix = "s3://${bucket(account, region)}/"
            assertTrue(entry.artifactPath, entry.artifactPath.startsWith(prefix))
            Map held = after[bucket(account, region)]
            assertEquals([region, account], [held.region, held.owner])
            List<String> added = held.objects*.key - before[bucket(account, region)].objects*.key
            assertTrue("${entry.artifactPath} not among ${added}".toString(), entry.artifactPath - prefix in added)
            assertEquals(1, added.count { it.endsWith('.tar.gz') })
        }
        // the status view of every account x region ran after the backup (with the plan's accounts) and is linked
        String artifacts = "${harness.env.BUILD_URL}artifact/ssm-backup-work/report"
        assertEquals("OK 6/6 units in 3 accounts, ${total} parameters | chart: ${artifacts}/parameters.svg | status: ${artifacts}/status.html".toString(),
                harness.currentBuild.description)
        assertEquals(null, harness.currentBuild.result)

        String junit = harness.calls('junit').collect { it.namedArgs.testResults }.with { assertEquals(1, size()); new File(agent(7), it[0]).text }
        List<String> cases = (junit =~ /<testcase classname="([^"]+)" name="([^"]+)"/).collect { "${it[1]} ${it[2]}".toString() }
        assertEquals(UNITS.collect { "ssm-backup.${ENV}.${it.replace('/', ' ')}".toString() }, cases)
        assertNoSecretLeft()
    }

    @Test
    void 'a member whose role does not trust the central role (failFast false): only its two units fail, in their stages, with the AWS cause'() {
        aws.seed([accounts: roles('222222222222', 'another-external-id')])

        Throwable error = runFailing(OPTIONS + [failFast: false, regions: REGIONS.join(',')])

        String refused = "User: ${CENTRAL_USER} is not authorized to perform: sts:AssumeRole on resource: ${role('222222222222')}"
        assertTrue(harness.log.toString(), harness.log.toString().contains("WARNING: account 222222222222: ") && harness.log.toString().contains(refused))
        assertEquals(['Backup 222222222222 ap-northeast-1': 'FAILURE', 'Backup 222222222222 us-west-2': 'FAILURE'], harness.stageResults)
        Map merged = merged()
        assertEquals(UNITS, merged.keySet().toList())
        assertEquals(['SUCCESS', 'SUCCESS', 'FAILED', 'FAILED', 'SUCCESS', 'SUCCESS'], merged.values()*.status)
        UNITS.findAll { it.startsWith('222222222222') }.each { assertTrue(merged[it].failureMessage, merged[it].failureMessage.contains(refused)) }
        // each stage's error names the whole cause; the description (a line of the build page) begins with it
        String cause = "Could not assume ${role('222222222222')} (with its external id): AccessDenied: ${refused}"
        REGIONS.each { assertTrue(harness.log.toString(), harness.log.toString().contains("222222222222/${it} FAILED: ${cause}\n")) }
        String description = harness.currentBuild.description.replaceFirst(/ \| chart: \S+ \| status: \S+$/, '')
        assertTrue(harness.currentBuild.description, harness.currentBuild.description.contains(' | chart: '))
        assertTrue(description, "FAILED 222222222222 ap-northeast-1 (+1 more unit(s) failed): ${cause}".startsWith(description - '…'))
        assertTrue(description, description.length() > 120)
        assertEquals(description, error.message)
        assertEquals('FAILURE', harness.currentBuild.result)
        assertNoSecretLeft()
    }

    @Test
    void 'a member whose role refuses with failFast true: the units taken after its failure was recorded are skipped by the engine'() {
        aws.seed([accounts: roles('111111111111', 'another-external-id')])

        runFailing(OPTIONS + [regions: REGIONS.join(',')])

        // units 1-3 start together; each later unit is handed the recorded failures, and the engine skips it
        Map merged = merged()
        assertEquals(['FAILED', 'FAILED', 'SUCCESS', 'SKIPPED', 'SKIPPED', 'SKIPPED'], UNITS.collect { merged[it].status })
        assertEquals('not started: 111111111111/ap-northeast-1 failed (fail-fast; --no-fail-fast backs up every region)', merged[UNITS[3]].failureMessage)
        assertEquals(STAGES.take(2).collectEntries { [(it): 'FAILURE'] } + STAGES.drop(3).collectEntries { [(it): 'NOT_BUILT'] }, harness.stageResults)
        assertEquals('FAILURE', harness.currentBuild.result)
        assertTrue(harness.currentBuild.description, harness.currentBuild.description.startsWith('FAILED 111111111111 ap-northeast-1 (+1 more unit(s) failed): '))
        assertNoSecretLeft()
    }

    @Test
    void 'a branch aborted while its engine runs is shown as what happened: finished units keep SUCCESS, the killed one FAILED interrupted, the rest ABORTED'() {
        // the unit's parameters answer throttling for as long as it runs: the abort surely comes while it collects
        aws.seed([faults: [[service: 'ssm', region: 'us-west-2', match: '/app/111111111111/us-west-2', error: [code: 'ThrottlingException', status: 400]]]])
        harness.shHandler = { ShCall call ->
            String fragment = call.env.SSM_BACKUP_SUMMARY_FRAGMENT
            if (call.env.SSM_BACKUP_ACCOUNTS != '111111111111' || call.env.SSM_BACKUP_REGIONS != 'us-west-2' || !fragment) {
                return harness.runForReal(call)
            }
            harness.runForReal(call) { new File(fragment).file && new File(fragment).text.contains('"runningPid"') }
        }

        List before = aws.state().s3[bucket('111111111111', 'us-west-2')].objects
        Throwable error = runFailing(OPTIONS)

        assertTrue(String.valueOf(error), error instanceof InterruptedException)
        assertEquals(['Initialize'] + STAGES + ['Finalize Report'], harness.stages)
        assertEquals(STAGES.drop(1).collectEntries { [(it): 'ABORTED'] }, harness.stageResults)
        Map merged = merged()
        assertEquals(['111111111111/ap-northeast-1': 'SUCCESS', '111111111111/us-west-2': 'FAILED'], merged.collectEntries { [(it.key): it.value.status] })
        assertEquals('interrupted', merged['111111111111/us-west-2'].failureCategory)
        // the killed branch's fragment (stashed in finally) still says "running"; merged, that pid of another agent is dropped
        assertEquals(4, harness.nodes.size())   // Initialize, units 1 and 2, Finalize: units 3-6 never reached a node
        Map fragment = json(new File(agent(2), 'ssm-backup-work/fragments/111111111111_us-west-2.json'))['111111111111/us-west-2']
        assertTrue(fragment.toString(), fragment.runningPid instanceof Number)
        assertEquals(fragment.findAll { it.key != 'runningPid' }, merged['111111111111/us-west-2'])
        assertEquals('ABORTED', harness.currentBuild.result)
        assertEquals('ABORTED 111111111111 us-west-2 (+4 more unit(s): 4 ABORTED): the build was aborted (by a user or a Jenkins timeout) while it ran; ' +
                'latest.txt was not moved by it', harness.currentBuild.description)
        // the killed unit moved nothing in its bucket
        assertEquals(before, aws.state().s3[bucket('111111111111', 'us-west-2')].objects)
        assertNoSecretLeft()
    }
}
