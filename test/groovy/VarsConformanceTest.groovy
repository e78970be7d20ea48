import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.FieldNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.Phases
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized
import org.junit.runners.Parameterized.Parameters
import testsupport.PipelineHarness

import java.lang.reflect.Modifier

/** Rules every global variable in vars/ follows (in the spirit of SAP Piper's CommonStepsTest). */
@RunWith(Parameterized)
class VarsConformanceTest {
    // CPS and sandbox rules (closures in CPS code, non-serializable locals, refused calls, the sandbox allowlist, steps in
    // @NonCPS code) are checked over vars/ and src/ by pipelinecheck.PipelineCheckTest.

    final File source
    final String name

    VarsConformanceTest(String name, File source) {
        this.name = name
        this.source = source
    }

    @Parameters(name = '{0}')
    static Collection<Object[]> steps() {
        new File(PipelineHarness.ROOT, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.sort()
                .collect { [it.name - '.groovy', it] as Object[] }
    }

    ClassNode script() {
        CompilationUnit unit = new CompilationUnit(new GroovyClassLoader(PipelineHarness.classLoader))
        unit.addSource(source)
        unit.compile(Phases.SEMANTIC_ANALYSIS)
        unit.AST.classes.find { it.name == name }
    }

    @Test
    void 'has a txt page that documents every option'() {
        File doc = new File(source.parentFile, "${name}.txt")
        assertTrue("vars/${name}.txt is missing", doc.file)
        FieldNode defaults = script().getField('DEFAULTS')
        if (defaults) {
            List<String> options = defaults.initialExpression.mapEntryExpressions*.keyExpression*.text
            options.each { assertTrue("vars/${name}.txt does not document option ${it}", doc.text.contains("<code>${it}</code>")) }
        }
    }

    @Test
    void 'is at most 60 lines, what computes lives in src'() {
        int lines = source.readLines().size()
        assertTrue("vars/${name}.groovy has ${lines} lines: move what computes into a tested class of src/org/ssmbackup", lines <= 60)
    }

    @Test
    void 'every src class has its test mirrored under test'() {
        new File(PipelineHarness.ROOT, 'src').eachFileRecurse { File file ->
            if (file.name.endsWith('.groovy')) {
                String path = file.path - new File(PipelineHarness.ROOT, 'src').path - '.groovy'
                assertTrue("src${path}.groovy has no test/groovy${path}Test.groovy", new File(PipelineHarness.ROOT, "test/groovy${path}Test.groovy").file)
            }
        }
    }

    @Test
    void 'call takes a Map'() {
        List<MethodNode> calls = script().getMethods('call')
        assertEquals(1, calls.size())
        assertEquals(Map.name, calls[0].parameters[0].type.name)
    }

    @Test
    void 'keeps no mutable state between steps'() {
        script().fields.findAll { !it.synthetic && !(it.name in ['$callSiteArray']) }.each { FieldNode field ->
            assertTrue("${name}.${field.name} must be @Field static final",
                    Modifier.isStatic(field.modifiers) && Modifier.isFinal(field.modifiers))
        }
    }

    @Test
    void 'never interpolates into a shell string'() {
        assertFalse("${name} passes a GString to sh", (source.text =~ /sh\s*\(\s*(script:\s*)?"/).find())
    }

    @Test
    void 'CodeNarc reports no violations'() {
        File report = new File(PipelineHarness.ROOT, 'build/reports/codenarc/pipeline.txt')
        assertTrue('run through `gradle test`, which runs codenarcPipeline first', report.file)
        assertTrue(report.text, report.text.contains('P1=0 P2=0 P3=0'))
        assertTrue("CodeNarc did not check ${name}", report.text.contains('TotalFiles=') && !report.text.contains("File: ${name}.groovy"))
        File library = new File(PipelineHarness.ROOT, 'build/reports/codenarc/library.txt')
        assertTrue('run through `gradle test`, which runs codenarcLibrary (src/) first', library.file)
        assertTrue(library.text, library.text.contains('P1=0 P2=0 P3=0'))
    }
}
