package pipelinecheck

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue

import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import pipelinecheck.PipelineCheck.Violation

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption

/**
 * The static check (PipelineCheck) over today's vars/ and src/, and each rule against a violation planted in a copy:
 * of the fixtures (test/fixtures/pipelinecheck: a clean step and a clean src/ class with `// PLANT:<place>` lines) or of
 * today's vars/ and src/.
 */
class PipelineCheckTest {
    static final File ROOT = new File(System.getProperty('repo.root') ?: '.').canonicalFile
    static final File ALLOWLIST = new File(ROOT, 'test/groovy/pipelinecheck/sandbox-allowlist.txt')
    static final File FIXTURES = new File(ROOT, 'test/fixtures/pipelinecheck')
    static final String STEP = 'vars/fixtureStep.groovy'
    static final String HELPER = 'src/org/example/FixtureHelper.groovy'

    @Rule
    public TemporaryFolder temp = new TemporaryFolder()

    @Test
    void 'today\'s vars and src folders pass every rule'() {
        PipelineCheck check = new PipelineCheck(ROOT, ALLOWLIST)
        List<String> checked = check.sources().collect { ROOT.toPath().relativize(it.toPath()).toString() }
        List<String> steps = new File(ROOT, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.collect { "vars/${it.name}".toString() }
        assertTrue("the check must read every step: read ${checked}", steps && checked.containsAll(steps))
        assertEquals('', check.run().join('\n'))
    }

    @Test
    void 'the fixtures pass as they are, and the src folder is optional'() {
        assertEquals('', new PipelineCheck(copy(FIXTURES), ALLOWLIST).run().join('\n'))
        File varsOnly = copy(FIXTURES)
        assertTrue(new File(varsOnly, 'src').deleteDir())
        assertEquals(1, new PipelineCheck(varsOnly, ALLOWLIST).sources().size())
        assertEquals([], new PipelineCheck(temp.newFolder(), ALLOWLIST).run())
    }

    @Test
    void 'the three examples of issue 20 are caught in a copy of every step of today\'s vars folder'() {
        Map<String, String> examples = [
                'not-serializable': "java.util.regex.Matcher planted = 'v1' =~ /v(\\d)/\necho('planted')",
                'cps-closure': "['b', 'a'].sort { x, y -> x <=> y }",
                refused: "'true'.execute()"]
        List<File> steps = new File(ROOT, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.sort()
        assertTrue(steps.size() >= 3)
        for (File step in steps) {
            examples.each { String rule, String code ->
                File root = copy(ROOT, ['vars', 'src'])
                File target = new File(root, "vars/${step.name}")
                List<String> lines = target.readLines()
                int at = lines.findIndexOf { it =~ /^\S.*\bcall\(Map\b.*\{\s*$/ }
                assertTrue("vars/${step.name} has no `call(Map ...) {` line to plant after", at >= 0)
                lines.addAll(at + 1, code.readLines().collect { '    ' + it })
                target.text = lines.join('\n') + '\n'
                assertReported(new PipelineCheck(root, ALLOWLIST).run(), "vars/${step.name}", at + 2, rule, code)
            }
        }
    }

    @Test
    void 'cps-closure: a closure handed to sort, toSorted, unique, a comparator or a String method in CPS code'() {
        ['NAMES.sort { a, b -> a <=> b }', 'List<String> copied = NAMES.toSorted { it }', 'NAMES.unique { it.size() }',
         'String longest = NAMES.max { a, b -> a.size() <=> b.size() }', "String masked = text.replaceAll(/a/) { 'b' }",
         'text.eachLine { line -> echo(line) }', "List<String> found = text.findAll(/a/) { it }", 'args.names.sort { it }',
         'NAMES.sort(this.&stepHelper)'].each { String code ->
            assertReported(plant(STEP, 'cps', code), STEP, 'cps', 0, 'cps-closure', code)
        }
        assertReported(plant(HELPER, 'cps', 'List<String> letters = text.toList().sort { it }'), HELPER, 'cps', 0, 'cps-closure', 'src/ class')
        ['NAMES.each { echo(it) }', 'List<String> upper = NAMES.collect { it.toUpperCase() }', 'String longest = NAMES.max { it.size() }',
         'Map byLength = NAMES.groupBy { it.size() }', 'NAMES.sort()'].each { String code ->
            assertNotReported(plant(STEP, 'cps', code), 'cps-closure', "${code} (translated by groovy-cps)")
        }
        assertNotReported(plant(STEP, 'noncps', 'names.sort { a, b -> a <=> b }'), 'cps-closure', 'sort in @NonCPS code')
    }

    @Test
    void 'not-serializable: a Matcher, iterator, reader or JsonSlurper result in scope when a step runs'() {
        ['java.util.regex.Matcher m = text =~ /v(\\d+)/', 'def m = (text =~ /v/)', 'def m = java.util.regex.Pattern.compile("v").matcher(text)',
         'Iterator<String> names = NAMES.iterator()', 'def names = args.names.iterator()', 'Reader reader = new StringReader(text)',
         'def parsed = new groovy.json.JsonSlurper().parseText(text)'].each { String code ->
            assertReported(plant(STEP, 'cps', code), STEP, 'cps', 0, 'not-serializable', code)
        }
        assertReported(plant(STEP, 'block', 'def m = text =~ /v/'), STEP, 'block', 0, 'not-serializable', 'inside an if block')
        assertReported(plant(HELPER, 'cps', 'def m = text =~ /v/'), HELPER, 'cps', 0, 'not-serializable', 'src/ class, step through script')
        [['cps', 'java.util.regex.Matcher m = text =~ /v/\nboolean versioned = m.find()\nm = null'],
         ['cps', 'if (text) {\n    java.util.regex.Matcher m = text =~ /v/\n    text = m.find() ? text : ""\n}'],
         ['noncps', 'java.util.regex.Matcher m = names[0] =~ /a/\nboolean any = m.find()'],
         ['cps', 'def parsed = new groovy.json.JsonSlurperClassic().parseText(text)']].each { String place, String code ->
            assertNotReported(plant(STEP, place, code), 'not-serializable', code)
        }
    }

    @Test
    void 'refused: execute, new File, System, Thread, Runtime, evaluate, Class forName, class loaders, println, Grab'() {
        ["'true'.execute()", "\"ls ${'$'}{text}\".execute()", "['ls', '-l'].execute()", "boolean exists = new File('/tmp/x').exists()",
         "String home = System.getenv('HOME')", 'long now = System.currentTimeMillis()', 'Thread.sleep(10)', 'Runtime.getRuntime()',
         "evaluate('1 + 1')", "Class.forName('java.lang.String')", 'getClass().getClassLoader()', 'def loader = this.class.classLoader',
         "println('x')"].each { String code ->
            assertReported(plant(STEP, 'cps', code), STEP, 'cps', 0, 'refused', code)
        }
        assertReported(plant(HELPER, 'noncps', "new File(text).delete()"), HELPER, 'noncps', 0, 'refused', 'src/ class, @NonCPS')
        assertReported(plant(STEP, 'top', "@Grab('org.example:none:1.0')\nvoid grabbed() {}"), STEP, 'top', 0, 'refused', '@Grab')
    }

    @Test
    void 'sandbox: calls on JDK and Groovy types must be on the allowlist'() {
        ['String padded = text.padLeft(10)', 'Date now = new Date()', "int n = Integer.parseInt('1')", 'byte[] raw = text.bytes',
         'List<String> copied = NAMES.findAll { it }'].each { String code ->
            assertReported(plant(STEP, 'cps', code), STEP, 'cps', 0, 'sandbox', code)
        }
        assertNotReported(plant(STEP, 'cps', 'String upper = text.trim().toUpperCase()'), 'sandbox', 'allowlisted String methods')
        assertNotReported(plant(STEP, 'cps', 'args.whatever(1)\nenv.X.foo()'), 'sandbox', 'receivers of unknown type')
    }

    @Test
    void 'the sandbox allowlist names members that exist, in script-security\'s format'() {
        List<String> lines = ALLOWLIST.readLines()*.trim().findAll { it && !it.startsWith('#') }
        assertTrue(lines.size() > 5)
        lines.each { String line ->
            List<String> words = line.split(' ') as List
            assertTrue(line, words[0] in ['method', 'staticMethod', 'new'])
            Class owner = Class.forName(words[1])
            List<String> wanted = words.drop(words[0] == 'new' ? 2 : 3)
            List<List<String>> found = words[0] == 'new' ? owner.constructors.collect { it.parameterTypes.collect { SandboxAllowlist.name(it) } } :
                    owner.methods.findAll { it.name == words[2] }.collect { it.parameterTypes.collect { SandboxAllowlist.name(it) } }
            assertTrue("${line}: no such member", wanted in found)
        }
        assertEquals('each signature once', lines.size(), (lines as Set).size())
    }

    @Test
    void 'noncps-step: a step or CPS method called from @NonCPS code or a constructor'() {
        ["echo('x')", "sh('true')", "stepHelper('x')", "fixtureStep(text: 'x')", "writeFile(file: 'x', text: 'y')"].each { String code ->
            assertReported(plant(STEP, 'noncps', code), STEP, 'noncps', 0, 'noncps-step', code)
        }
        assertReported(plant(HELPER, 'noncps', "script.sh('true')"), HELPER, 'noncps', 0, 'noncps-step', 'src/ class, @NonCPS')
        assertReported(plant(HELPER, 'constructor', "script.echo('x')"), HELPER, 'constructor', 0, 'noncps-step', 'src/ class, constructor')
        ["String joined = names.join(',')", 'List<String> again = ordered(names)'].each { String code ->
            assertNotReported(plant(STEP, 'noncps', code), 'noncps-step', code)
        }
    }

    /** Copies the fixtures and replaces the `// PLANT:place` line of file with code: [violations:, line: first line of code]. */
    private Map plant(String file, String place, String code) {
        File root = copy(FIXTURES)
        File target = new File(root, file)
        List<String> lines = target.readLines()
        int at = lines.findIndexOf { it.trim() == "// PLANT:${place}" }
        assertTrue("${file} has no // PLANT:${place} line", at >= 0)
        String indent = lines[at].takeWhile { it == ' ' }
        lines.remove(at)
        lines.addAll(at, code.readLines().collect { indent + it })
        target.text = lines.join('\n') + '\n'
        return [violations: new PipelineCheck(root, ALLOWLIST).run(), line: at + 1]
    }

    private void assertReported(Map planted, String file, String place, int offset, String rule, String variant) {
        assertReported(planted.violations, file, planted.line + offset, rule, "${variant} (at PLANT:${place})")
    }

    private static void assertReported(List<Violation> violations, String file, int line, String rule, String variant) {
        String expected = "${file}:${line}: [${rule}]"
        assertTrue("${variant}: expected ${expected}; the check reported:\n${violations.join('\n')}",
                violations*.toString().any { it.startsWith(expected) })
    }

    private static void assertNotReported(Map planted, String rule, String variant) {
        assertEquals(variant, [], planted.violations.findAll { it.rule == rule }*.toString())
    }

    /** A copy of from (only the named top-level folders, when given) in a new temporary folder. */
    private File copy(File from, List<String> only = null) {
        File root = temp.newFolder()
        Path source = from.toPath()
        List<File> tops = only == null ? [from] : only.collect { new File(from, it) }.findAll { it.exists() }
        tops.each { File top ->
            def paths = Files.walk(top.toPath())
            try {
                paths.iterator().each { Path path ->
                    Path target = root.toPath().resolve(source.relativize(path).toString())
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(target)
                    } else {
                        Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING)
                    }
                }
            } finally {
                paths.close()
            }
        }
        return root
    }
}
