package pipelinecheck

import groovy.grape.Grape
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.ModuleNode
import org.codehaus.groovy.ast.expr.ArgumentListExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.TupleExpression
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.Phases

/**
 * Static check of the library's Groovy (vars/**&#47;*.groovy and src/**&#47;*.groovy) for what plain Groovy tests cannot see:
 * Jenkins' CPS interpreter and script-security's sandbox. Compiles every file together with Groovy's own compiler up to
 * semantic analysis (types resolved, nothing generated) and walks the AST (CheckVisitor). Rules:
 * <ul>
 * <li>{@code cps-closure}: a closure passed to a method groovy-cps does not translate (sort, toSorted, unique, ...) in CPS code;</li>
 * <li>{@code not-serializable}: a Matcher, Iterator, stream, reader, JsonSlurper result... held in a local while a step runs;</li>
 * <li>{@code refused}: .execute(), new File, System.*, Thread, Runtime, evaluate, Class.forName, class loaders, @Grab, println;</li>
 * <li>{@code sandbox}: a call on a JDK/Groovy type whose signature is not in sandbox-allowlist.txt;</li>
 * <li>{@code noncps-step}: a pipeline step (or CPS method) called from @NonCPS code or a constructor.</li>
 * </ul>
 */
class PipelineCheck {
    static final List<String> FOLDERS = ['vars', 'src']

    final File root
    final SandboxAllowlist allowlist

    PipelineCheck(File root, File allowlistFile) {
        this.root = root
        this.allowlist = new SandboxAllowlist(allowlistFile)
    }

    /** The .groovy files under vars/ and src/ (a missing folder holds none). */
    List<File> sources() {
        List<File> files = []
        FOLDERS.collect { new File(root, it) }.findAll { it.directory }.each { File dir ->
            dir.eachFileRecurse { if (it.file && it.name.endsWith('.groovy')) { files << it } }
        }
        return files.sort { it.path }
    }

    /** Every violation, sorted by file and line; a file that does not compile throws with the compiler's message. */
    List<Violation> run() {
        List<File> files = sources()
        if (!files) {
            return []
        }
        // @Grab is reported, never resolved: no download while checking (and none possible offline).
        Grape.enableGrapes = false
        GroovyClassLoader loader = new GroovyClassLoader(PipelineCheck.classLoader)
        CompilationUnit unit = new CompilationUnit(new CompilerConfiguration(), null, loader)
        files.each { unit.addSource(it) }
        unit.compile(Phases.SEMANTIC_ANALYSIS)
        List<ModuleNode> modules = unit.AST.modules
        Set<String> projectClasses = modules.collectMany { it.classes*.name } as Set
        Map<String, ClassNode> globals = modules.findAll { path(it).startsWith('vars/') }
                .collectEntries { [(it.classes[0].name): it.classes[0]] }
        List<Violation> found = []
        for (ModuleNode module in modules) {
            TypeGuess types = new TypeGuess(loader, projectClasses)
            CheckVisitor visitor = new CheckVisitor(module.context, path(module), found, allowlist, types, globals)
            module.classes.each { visitor.visitClass(it) }
        }
        return found.sort { a, b -> a.file <=> b.file ?: a.line <=> b.line }
    }

    String path(ModuleNode module) {
        root.toPath().relativize(new File(module.context.name).toPath()).toString().replace(File.separator, '/')
    }

    static boolean nonCps(MethodNode method) {
        method.annotations.any { it.classNode.nameWithoutPackage == 'NonCPS' }
    }

    /** The arguments of a method or constructor call (named arguments count as one Map). */
    static List<Expression> arguments(Expression call) {
        Expression args = call.arguments
        return args instanceof TupleExpression ? args.expressions : (args instanceof ArgumentListExpression ? args.expressions : [args])
    }

    static class Violation {
        String file
        int line
        String rule
        String message

        @Override
        String toString() {
            "${file}:${line}: [${rule}] ${message}"
        }
    }
}
